package dev.rtrelay.relay.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The byte-level forwarder: data frames come out exactly as they went in (however the reads split them), control
 * frames are handed to the session, protocol violations stop the direction at the offending frame, and hooks see,
 * hold or replace text messages without changing anything else.
 */
class FrameForwarderTest {
  /** A direction under test: a sink recording what is written and a source recording pauses. */
  private static final class Harness implements WireSink, WireSource, FrameForwarder.Events {
    final Buffer written = Buffer.buffer();
    final List<Buffer> writes = new ArrayList<>();
    final List<String> controls = new ArrayList<>();
    String violation;
    Throwable refused;
    boolean full;
    boolean paused;
    FrameForwarder forwarder;

    Harness(boolean masked, long limit, MessageHooks hooks) {
      forwarder = new FrameForwarder(this, this, masked, limit, true, hooks, this, null);
    }

    @Override
    public void write(Buffer bytes) {
      writes.add(bytes.copy());
      written.appendBuffer(bytes);
    }

    @Override
    public boolean writeQueueFull() {
      return full;
    }

    @Override
    public void pause() {
      paused = true;
    }

    @Override
    public void resume() {
      paused = false;
    }

    @Override
    public void control(int opcode, Buffer payload) {
      controls.add(opcode + ":" + payload.toString(StandardCharsets.ISO_8859_1));
    }

    @Override
    public void violation(int closeCode, String reason) {
      violation = closeCode + " " + reason;
    }

    @Override
    public void refused(Throwable cause) {
      refused = cause;
    }

    /** Feeds {@code stream} in reads of random sizes. */
    void feed(Buffer stream, Random random, int maxRead) {
      int at = 0;
      while (at < stream.length()) {
        int n = Math.min(stream.length() - at, 1 + random.nextInt(maxRead));
        forwarder.onRead(stream.slice(at, at + n).copy());
        at += n;
      }
    }
  }

  /** Hooks that observe, or hold, the types a function names. */
  private static final class Recording implements MessageHooks {
    final List<String> seen = new ArrayList<>();
    final java.util.function.Function<String, Integer> interest;
    final boolean mayHold;
    Promise<String> pending;

    Recording(java.util.function.Function<String, Integer> interest, boolean mayHold) {
      this.interest = interest;
      this.mayHold = mayHold;
    }

    @Override
    public int interest(String type) {
      return interest.apply(type);
    }

    @Override
    public boolean mayHold() {
      return mayHold;
    }

    @Override
    public void message(String type, Buffer message) {
      seen.add(type + "=" + message.toString(StandardCharsets.UTF_8));
    }

    @Override
    public Future<String> check(String type, Buffer message) {
      seen.add("held " + type + "=" + message.toString(StandardCharsets.UTF_8));
      pending = Promise.promise();
      return pending.future();
    }
  }

  private record Stream(Buffer bytes, Buffer dataOnly, List<String> controls, List<String> texts) {}

  /** Random messages, fragmented at random (inside multi-byte characters too), with pings and pongs in between. */
  private static Stream randomStream(Random random, boolean masked, int messages) {
    Buffer bytes = Buffer.buffer();
    Buffer data = Buffer.buffer();
    List<String> controls = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    String[] samples = {"{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAECAwQFBgcICQ==\"}",
        "{\"type\":\"response.done\",\"response\":{\"status\":\"completed\"}}", "{\"type\":\"session.update\"}",
        "{\"type\":\"x\",\"note\":\"ünïcödé ✓ 日本語 😀\"}", "{ \"type\" : \"spaced\" }", "not json at all"};
    for (int m = 0; m < messages; m++) {
      boolean text = random.nextInt(4) > 0;
      byte[] payload;
      if (text) {
        String s = samples[random.nextInt(samples.length)];
        if (random.nextInt(5) == 0) {
          s = s + "x".repeat(random.nextInt(70_000));
        }
        texts.add(s);
        payload = s.getBytes(StandardCharsets.UTF_8);
      } else {
        payload = new byte[random.nextInt(random.nextInt(10) == 0 ? 70_000 : 300)];
        random.nextBytes(payload);
      }
      int fragments = 1 + random.nextInt(3);
      int from = 0;
      for (int f = 0; f < fragments; f++) {
        int to = f == fragments - 1 ? payload.length : from + random.nextInt(payload.length - from + 1);
        byte[] part = java.util.Arrays.copyOfRange(payload, from, to);
        int opcode = f == 0 ? (text ? Frames.TEXT : Frames.BINARY) : Frames.CONTINUATION;
        Buffer frame = RawFrames.frame(f == fragments - 1, opcode, part, RawFrames.key(random, masked));
        bytes.appendBuffer(frame);
        data.appendBuffer(frame);
        from = to;
        if (random.nextInt(4) == 0) {
          String ping = "p" + random.nextInt(1000);
          int controlOpcode = random.nextBoolean() ? Frames.PING : Frames.PONG;
          bytes.appendBuffer(RawFrames.frame(true, controlOpcode, ping.getBytes(StandardCharsets.US_ASCII),
              RawFrames.key(random, masked)));
          controls.add(controlOpcode + ":" + ping);
        }
      }
    }
    return new Stream(bytes, data, controls, texts);
  }

  @Test
  void dataFramesComeOutByteForByteHoweverTheReadsSplitThemAndControlFramesGoToTheSession() {
    Random random = new Random(1);
    for (int round = 0; round < 300; round++) {
      boolean masked = round % 2 == 0;
      Stream stream = randomStream(random, masked, 1 + random.nextInt(8));
      Harness h = new Harness(masked, 16 << 20, null);
      h.feed(stream.bytes(), random, round % 3 == 0 ? 3 : 4096);
      assertNull(h.violation);
      assertArrayEquals(stream.dataOnly().getBytes(), h.written.getBytes(), "round " + round);
      assertEquals(stream.controls(), h.controls);
      assertEquals(stream.dataOnly().length() > 0, h.forwarder.frames() > 0);
    }
  }

  @Test
  void aReadOfWholeFramesIsWrittenInOnePieceWithoutCopying() {
    Buffer read = Buffer.buffer().appendBuffer(RawFrames.text("{\"type\":\"a\"}", 0x11223344))
        .appendBuffer(RawFrames.text("{\"type\":\"b\"}", 0x55667788));
    Harness h = new Harness(true, 1 << 20, null);
    h.forwarder.onRead(read);
    assertEquals(1, h.writes.size());
    assertArrayEquals(read.getBytes(), h.writes.get(0).getBytes());
  }

  @Test
  void observedMessagesArriveWholeAndUnmaskedWhileTheBytesPassUnchanged() {
    Random random = new Random(2);
    for (int round = 0; round < 200; round++) {
      boolean masked = round % 2 == 0;
      Stream stream = randomStream(random, masked, 1 + random.nextInt(6));
      Recording hooks = new Recording(type -> MessageHooks.OBSERVE, false);
      Harness h = new Harness(masked, 16 << 20, hooks);
      h.feed(stream.bytes(), random, round % 3 == 0 ? 5 : 2048);
      assertArrayEquals(stream.dataOnly().getBytes(), h.written.getBytes());
      List<String> expected = new ArrayList<>();
      for (String text : stream.texts()) {
        String type = dev.rtrelay.relay.events.MessageType.of(Buffer.buffer(text));
        expected.add(type + "=" + text);
      }
      assertEquals(expected, hooks.seen, "round " + round);
    }
  }

  @Test
  void messagesOfNoInterestAreNeverAssembled() {
    Recording hooks = new Recording(type -> "response.done".equals(type) ? MessageHooks.OBSERVE : MessageHooks.NONE,
        false);
    Harness h = new Harness(false, 1 << 20, hooks);
    h.forwarder.onRead(RawFrames.text("{\"type\":\"response.output_audio.delta\",\"delta\":\"AAAA\"}", null));
    h.forwarder.onRead(RawFrames.text("{\"type\":\"response.done\",\"response\":{}}", null));
    assertEquals(List.of("response.done={\"type\":\"response.done\",\"response\":{}}"), hooks.seen);
  }

  @Test
  void heldMessageIsReplacedByTheCheckedTextAndWhatFollowsWaitsForIt() {
    Random random = new Random(3);
    for (int round = 0; round < 100; round++) {
      Recording hooks = new Recording(type -> "session.update".equals(type) ? MessageHooks.HOLD
          : MessageHooks.NONE, true);
      Harness h = new Harness(true, 1 << 20, hooks);
      Buffer before = RawFrames.text("{\"type\":\"a\"}", random.nextInt());
      Buffer held = Buffer.buffer()
          .appendBuffer(RawFrames.frame(false, Frames.TEXT, "{\"type\":\"sess".getBytes(), random.nextInt()))
          .appendBuffer(RawFrames.frame(true, Frames.PING, "hi".getBytes(), random.nextInt()))
          .appendBuffer(RawFrames.frame(true, Frames.CONTINUATION, "ion.update\"}".getBytes(), random.nextInt()));
      Buffer after = RawFrames.text("{\"type\":\"b\"}", random.nextInt());
      h.feed(Buffer.buffer().appendBuffer(before).appendBuffer(held).appendBuffer(after), random, 7);
      assertEquals(List.of("held session.update={\"type\":\"session.update\"}"), hooks.seen);
      assertArrayEquals(before.getBytes(), h.written.getBytes(), "only what came before is out while checking");
      assertTrue(h.paused, "the source is paused while a message is checked");
      assertEquals(List.of(Frames.PING + ":hi"), h.controls);
      hooks.pending.complete("{\"type\":\"session.update\",\"checked\":true}");
      assertFalse(h.paused);
      Recording reader = new Recording(t -> MessageHooks.OBSERVE, false);
      new Harness(true, 1 << 20, reader).forwarder.onRead(h.written.copy());
      assertEquals(List.of("a={\"type\":\"a\"}",
          "session.update={\"type\":\"session.update\",\"checked\":true}", "b={\"type\":\"b\"}"), reader.seen);
    }
  }

  @Test
  void aMessageThatMightBeHeldIsKeptBackUntilItsTypeIsKnownThenForwardedUnchanged() {
    Recording hooks = new Recording(type -> "session.update".equals(type) ? MessageHooks.HOLD : MessageHooks.NONE,
        true);
    Harness h = new Harness(true, 1 << 20, hooks);
    Buffer frame = RawFrames.text("{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAAA\"}", 0x0badf00d);
    h.forwarder.onRead(frame.slice(0, 12).copy());
    assertEquals(0, h.written.length(), "nothing goes out before the type is known");
    h.forwarder.onRead(frame.slice(12, frame.length()).copy());
    assertArrayEquals(frame.getBytes(), h.written.getBytes());
  }

  @Test
  void refusedHeldMessageStopsTheDirection() {
    Recording hooks = new Recording(type -> MessageHooks.HOLD, true);
    Harness h = new Harness(true, 1 << 20, hooks);
    h.forwarder.onRead(RawFrames.text("{\"type\":\"conversation.item.create\"}", 7));
    hooks.pending.fail(new IllegalStateException("blocked"));
    assertEquals("blocked", h.refused.getMessage());
    h.forwarder.onRead(RawFrames.text("{\"type\":\"later\"}", 7));
    assertEquals(0, h.written.length());
  }

  private static void assertViolation(boolean masked, long limit, Buffer good, Buffer bad, String expected) {
    Harness h = new Harness(masked, limit, null);
    h.forwarder.onRead(Buffer.buffer().appendBuffer(good).appendBuffer(bad).appendBuffer(good));
    assertEquals(expected, h.violation);
    assertArrayEquals(good.getBytes(), h.written.getBytes(), "only the frames before the violation go out");
    assertTrue(h.forwarder.outputAtFrameBoundary());
  }

  @Test
  void protocolViolationsStopAtTheOffendingFrameWith1002() {
    Buffer fromClient = RawFrames.text("{\"type\":\"ok\"}", 42);
    assertViolation(true, 1 << 20, fromClient, RawFrames.text("{}", null), "1002 client frames must be masked");
    assertViolation(false, 1 << 20, RawFrames.text("{}", null), RawFrames.text("{}", 9),
        "1002 server frames must not be masked");
    assertViolation(true, 1 << 20, fromClient, RawFrames.frame(0x80 | 0x40 | Frames.TEXT, "{}".getBytes(), 1, false),
        "1002 reserved bits set (no extension was negotiated)");
    assertViolation(true, 1 << 20, fromClient, RawFrames.frame(true, 0x3, new byte[1], 5), "1002 reserved opcode 3");
    assertViolation(true, 1 << 20, fromClient, RawFrames.frame(true, Frames.PING, new byte[126], 5),
        "1002 control frame payload over 125 bytes");
    assertViolation(true, 1 << 20, fromClient, RawFrames.frame(false, Frames.PING, new byte[1], 5),
        "1002 fragmented control frame");
    assertViolation(true, 1 << 20, fromClient, RawFrames.frame(true, Frames.CONTINUATION, new byte[1], 5),
        "1002 continuation frame without a message to continue");
  }

  @Test
  void aNewMessageInsideAFragmentedOneIs1002() {
    Harness h = new Harness(true, 1 << 20, null);
    h.forwarder.onRead(RawFrames.frame(false, Frames.TEXT, "{".getBytes(), 1));
    h.forwarder.onRead(RawFrames.text("{}", 2));
    assertEquals("1002 new message before the previous one ended", h.violation);
  }

  @Test
  void messagesOverTheLimitAre1009WhetherOneFrameOrFragments() {
    assertViolation(true, 1000, RawFrames.text("{}", 3), RawFrames.frame(true, Frames.BINARY, new byte[1001], 3),
        "1009 message over the 1000-byte limit");
    Harness h = new Harness(true, 1000, null);
    h.forwarder.onRead(RawFrames.frame(false, Frames.BINARY, new byte[600], 3));
    h.forwarder.onRead(RawFrames.frame(true, Frames.CONTINUATION, new byte[600], 3));
    assertEquals("1009 message over the 1000-byte limit", h.violation);
    assertEquals(RawFrames.frame(false, Frames.BINARY, new byte[600], 3).length(), h.written.length());
  }

  @Test
  void invalidUtf8InATextMessageIs1007EvenWhenSplitAcrossFrames() {
    byte[] bad = {'{', '"', (byte) 0xC3, '"', '}'};
    assertViolation(true, 1 << 20, RawFrames.text("{}", 5), RawFrames.frame(true, Frames.TEXT, bad, 5),
        "1007 invalid UTF-8 in a text message");
    // A character split across two frames is fine; a message that ends inside one is not.
    byte[] e = "é".getBytes(StandardCharsets.UTF_8);
    Harness ok = new Harness(true, 1 << 20, null);
    ok.forwarder.onRead(RawFrames.frame(false, Frames.TEXT, new byte[] {e[0]}, 5));
    ok.forwarder.onRead(RawFrames.frame(true, Frames.CONTINUATION, new byte[] {e[1]}, 5));
    assertNull(ok.violation);
    Harness truncated = new Harness(true, 1 << 20, null);
    truncated.forwarder.onRead(RawFrames.frame(true, Frames.TEXT, new byte[] {e[0]}, 5));
    assertEquals("1007 invalid UTF-8 in a text message", truncated.violation);
  }

  @Test
  void binaryMessagesAreNotCheckedForUtf8() {
    Harness h = new Harness(true, 1 << 20, null);
    h.forwarder.onRead(RawFrames.frame(true, Frames.BINARY, new byte[] {(byte) 0xFF, (byte) 0xC0}, 5));
    assertNull(h.violation);
  }

  @Test
  void aCloseFrameEndsTheInputAndNothingAfterItIsForwarded() {
    Harness h = new Harness(true, 1 << 20, null);
    Buffer first = RawFrames.text("{\"type\":\"a\"}", 1);
    h.forwarder.onRead(Buffer.buffer().appendBuffer(first).appendBuffer(RawFrames.close(4001, "bye", 2))
        .appendBuffer(RawFrames.text("{\"type\":\"b\"}", 3)));
    assertArrayEquals(first.getBytes(), h.written.getBytes());
    assertEquals(List.of(Frames.CLOSE + ":" + new String(new byte[] {0x0F, (byte) 0xA1}, StandardCharsets.ISO_8859_1)
        + "bye"), h.controls);
  }

  @Test
  void injectedControlFrameGoesBetweenFragmentsAndADataFrameWaitsForTheMessageEnd() {
    Harness h = new Harness(false, 1 << 20, null);
    Buffer part1 = RawFrames.frame(false, Frames.TEXT, "{\"type\":".getBytes(), null);
    Buffer part2 = RawFrames.frame(true, Frames.CONTINUATION, "\"x\"}".getBytes(), null);
    h.forwarder.onRead(part1.slice(0, 4).copy());
    Buffer ping = Frames.encode(Frames.PING, Buffer.buffer("k"), false);
    Buffer event = Frames.text("{\"type\":\"error\"}", false);
    h.forwarder.inject(event, true);
    h.forwarder.inject(ping, false);
    assertArrayEquals(part1.slice(0, 4).getBytes(), h.written.getBytes(), "mid-frame: nothing can go in between");
    h.forwarder.onRead(part1.slice(4, part1.length()).copy());
    assertArrayEquals(part1.getBytes(), h.written.getBytes(), "the data frame waits for the message's end");
    h.forwarder.onRead(part2);
    Buffer expected = Buffer.buffer().appendBuffer(part1).appendBuffer(part2).appendBuffer(event)
        .appendBuffer(ping);
    assertArrayEquals(expected.getBytes(), h.written.getBytes(), "in order: queued frames keep their order");
  }

  @Test
  void afterAnInjectedCloseNothingMoreIsWritten() {
    Harness h = new Harness(false, 1 << 20, null);
    Buffer close = Frames.close(1001, "going away", false);
    h.forwarder.injectClose(close, null);
    h.forwarder.onRead(RawFrames.text("{\"type\":\"late\"}", null));
    assertArrayEquals(close.getBytes(), h.written.getBytes());
    assertTrue(h.forwarder.outputClosed());
  }

  @Test
  void aFullDestinationPausesTheSourceUntilItDrains() {
    Harness h = new Harness(false, 1 << 20, null);
    h.full = true;
    h.forwarder.onRead(RawFrames.text("{}", null));
    assertTrue(h.paused);
    h.full = false;
    h.forwarder.drained();
    assertFalse(h.paused);
  }
}
