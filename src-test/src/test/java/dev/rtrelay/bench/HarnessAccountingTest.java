package dev.rtrelay.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The harness's own arithmetic, fed known inputs: a benchmark is only as good as its accounting. */
class HarnessAccountingTest {
  @Test
  void inOrderAnswersCountNoLossNoReorder() {
    SessionAccounting a = new SessionAccounting();
    for (int i = 0; i < 100; i++) {
      a.sent();
    }
    for (int i = 0; i < 100; i++) {
      a.received(i);
    }
    assertEquals(0, a.lostCount());
    assertEquals(0, a.reorderedCount());
    assertEquals(0, a.openGaps());
  }

  @Test
  void aSwappedPairIsTwoReorderedAndNoLoss() {
    SessionAccounting a = new SessionAccounting();
    for (int i = 0; i < 4; i++) {
      a.sent();
    }
    a.received(0);
    a.received(2);
    a.received(1);
    a.received(3);
    assertEquals(0, a.lostCount());
    assertEquals(2, a.reorderedCount());
    assertEquals(0, a.openGaps());
  }

  @Test
  void missingAnswersAreLostAndLeaveAGap() {
    SessionAccounting a = new SessionAccounting();
    for (int i = 0; i < 5; i++) {
      a.sent();
    }
    a.received(0);
    a.received(1);
    a.received(4);
    assertEquals(2, a.lostCount());
    assertEquals(2, a.openGaps());
  }

  @Test
  void percentilesOfKnownTimings() {
    Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    for (int us = 1; us <= 1000; us++) {
      h.recordValue(us);
    }
    assertEquals("0.500", Report.ms(h, 50));
    assertEquals("0.990", Report.ms(h, 99));
    assertEquals("0.999", Report.ms(h, 99.9));
  }

  @Test
  void cpuIsNormalisedPerSessionMinute() {
    // 30 CPU seconds over 100 sessions for 30 s = 50 session-minutes: 0.6 s per session-minute.
    assertEquals(0.6, Report.cpuPerSessionMinute(30, 100, 30), 1e-9);
  }

  @Test
  void probeFramesCarrySeqAndSendTimeThroughTheAnswer() {
    String append = ProbeFrames.append(42, 123456789L);
    assertEquals(1280, new JsonObject(append).getString("audio").length(), "a real 20 ms PCM16 24 kHz chunk");
    String answer = ProbeFrames.answer(append);
    JsonObject delta = new JsonObject(answer);
    assertEquals("response.output_audio.delta", delta.getString("type"));
    assertEquals(ProbeFrames.stampedAudio(42, 123456789L), delta.getString("delta"));
    assertEquals(42, ProbeFrames.seq(answer));
    assertEquals(123456789L, ProbeFrames.sentNanos(answer));
    // A translated path gives the delta its own ids; the stamp in the audio still identifies the frame.
    String translated = new JsonObject().put("type", "response.output_audio.delta").put("event_id", "event_ab_7")
        .put("response_id", "resp_ab_2").put("delta", delta.getString("delta")).encode();
    assertEquals(42, ProbeFrames.seq(translated));
    assertEquals(123456789L, ProbeFrames.sentNanos(translated));
    assertNull(ProbeFrames.answer("{\"type\":\"session.update\"}"));
    assertTrue(ProbeFrames.seq(ProbeFrames.SESSION_CREATED) < 0);
  }

  @Test
  void cpuPerFrameCountsEveryFrameCarriedBothWays() {
    Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    PhaseResult r = new PhaseResult("relay", 10, 10, h, h, 5_000, 0, 5_000, 0, 0, 0);
    assertEquals(20.0, Report.cpuMicrosPerFrame(0.2, r), 1e-9, "0.2 CPU s over 10,000 frames");
    assertTrue(Double.isNaN(Report.cpuMicrosPerFrame(Double.NaN, r)), "no CPU reading, no figure");
  }

  @Test
  void mergedRoundsAddCountsAndHistograms() {
    Histogram a = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    a.recordValue(100);
    Histogram b = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    b.recordValue(300);
    PhaseResult merged = PhaseResult.merge(java.util.List.of(
        new PhaseResult("nginx", 10, 15, a, a, 100, 1, 99, 1, 0, 0),
        new PhaseResult("nginx", 10, 15, b, b, 200, 2, 198, 0, 3, 1)));
    assertEquals(30, merged.seconds(), 1e-9);
    assertEquals(300, merged.sent());
    assertEquals(297, merged.received());
    assertEquals(1, merged.lost());
    assertEquals(3, merged.reordered());
    assertEquals(2, merged.roundTrip().getTotalCount());
    assertEquals(300, merged.roundTrip().getMaxValue(), 1);
  }
}
