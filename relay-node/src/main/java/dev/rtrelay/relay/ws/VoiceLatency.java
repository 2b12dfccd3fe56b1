package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.events.LatencySummary;
import dev.rtrelay.relay.events.ResponseLatency;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long the caller waits: for each response, the time from the end of the user's turn to the response's first
 * audio and first text (or transcript) delta, and the response's whole duration. Fed only the types of the messages a
 * session passes (read from their first bytes as they go by; nothing is copied or parsed for it), on the session's
 * event loop.
 *
 * <p>The end of the turn is the provider's {@code input_audio_buffer.speech_stopped} (server VAD), else its
 * {@code input_audio_buffer.committed}, else the client's {@code response.create}; a response the provider started
 * on its own with none of these is timed from its {@code response.created}.
 */
final class VoiceLatency {
  /** Responses whose figures the session keeps for its summary; beyond them only the maximum still moves. */
  static final int SUMMARY_CAP = 4096;

  /** Where each response's figures go besides the session's own records (metrics, the deployment's routing data). */
  interface Sink {
    void response(ResponseLatency figures);
  }

  private final LongSupplier clock;
  private final Sink sink;
  private long turnEndNanos = -1;
  private String turnEndBy;
  private long anchorNanos = -1;
  private String anchorBy;
  private long createdNanos = -1;
  private long firstAudioNanos = -1;
  private long firstTextNanos = -1;
  private final Summary audio = new Summary();
  private final Summary text = new Summary();
  private int responses;

  VoiceLatency(LongSupplier clock, Sink sink) {
    this.clock = clock;
    this.sink = sink;
  }

  /** A client message of this type went to the provider. */
  void client(String type) {
    if ("response.create".equals(type) && turnEndNanos < 0) {
      turnEndNanos = clock.getAsLong();
      turnEndBy = "response.create";
    }
  }

  /**
   * A provider message of this type is on its way to the client.
   *
   * @return the response's figures when this ends one ({@code response.done}), else null
   */
  ResponseLatency upstream(String type) {
    if (type == null) {
      return null;
    }
    switch (type) {
      case "input_audio_buffer.speech_stopped" -> {
        turnEndNanos = clock.getAsLong();
        turnEndBy = "speech_stopped";
      }
      case "input_audio_buffer.committed" -> {
        // After speech_stopped (server VAD commits right after it), the turn already ended.
        if (turnEndNanos < 0 || !"speech_stopped".equals(turnEndBy)) {
          turnEndNanos = clock.getAsLong();
          turnEndBy = "committed";
        }
      }
      case "response.created" -> {
        createdNanos = clock.getAsLong();
        anchorNanos = turnEndNanos >= 0 ? turnEndNanos : createdNanos;
        anchorBy = turnEndNanos >= 0 ? turnEndBy : "response.created";
        turnEndNanos = -1;
        turnEndBy = null;
        firstAudioNanos = -1;
        firstTextNanos = -1;
      }
      case "response.output_audio.delta", "response.audio.delta" -> {
        if (firstAudioNanos < 0 && anchorNanos >= 0) {
          firstAudioNanos = clock.getAsLong();
        }
      }
      case "response.output_text.delta", "response.text.delta", "response.output_audio_transcript.delta",
          "response.audio_transcript.delta" -> {
        if (firstTextNanos < 0 && anchorNanos >= 0) {
          firstTextNanos = clock.getAsLong();
        }
      }
      case "response.done" -> {
        return done();
      }
      default -> {
      }
    }
    return null;
  }

  private ResponseLatency done() {
    if (anchorNanos < 0) {
      return null;
    }
    long now = clock.getAsLong();
    ResponseLatency figures = new ResponseLatency(firstAudioNanos < 0 ? -1 : firstAudioNanos - anchorNanos,
        firstTextNanos < 0 ? -1 : firstTextNanos - anchorNanos, now - createdNanos, anchorBy);
    anchorNanos = -1;
    createdNanos = -1;
    responses++;
    audio.add(figures.firstAudioNanos());
    text.add(figures.firstTextNanos());
    sink.response(figures);
    return figures;
  }

  /** Responses timed so far. */
  int responses() {
    return responses;
  }

  Summary audio() {
    return audio;
  }

  Summary text() {
    return text;
  }

  /** The session's median and maximum, for its closed record. */
  LatencySummary summary() {
    return new LatencySummary(responses, millis(audio.p50()), millis(audio.max()), millis(text.p50()),
        millis(text.max()));
  }

  private static long millis(long nanos) {
    return nanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /** The session's figures of one kind: median and maximum, in nanoseconds. */
  static final class Summary {
    private long[] values = new long[8];
    private int count;
    private long max = -1;

    void add(long nanos) {
      if (nanos < 0) {
        return;
      }
      max = Math.max(max, nanos);
      if (count == SUMMARY_CAP) {
        return;
      }
      if (count == values.length) {
        values = Arrays.copyOf(values, Math.min(SUMMARY_CAP, values.length * 2));
      }
      values[count++] = nanos;
    }

    int count() {
      return count;
    }

    /** The median of what was kept, -1 with none. */
    long p50() {
      if (count == 0) {
        return -1;
      }
      long[] sorted = Arrays.copyOf(values, count);
      Arrays.sort(sorted);
      return sorted[(count - 1) / 2];
    }

    long max() {
      return max;
    }
  }
}
