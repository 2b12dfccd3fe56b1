package dev.rtrelay.relay.wire;

import dev.rtrelay.relay.events.MessageType;
import dev.rtrelay.relay.metrics.FrameMeters;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One direction of a relayed WebSocket session, forwarded as the bytes that arrived. Only frame headers are parsed
 * (FIN, opcode, mask bit, length, mask key) to keep message boundaries, enforce RFC 6455 and the message size limit,
 * and find control frames; each read's bytes are then written on in one piece. A client's masked frames stay valid
 * towards the upstream (the key travels in each frame's header) and an upstream's unmasked frames are valid towards
 * the client, so nothing is unmasked, copied or re-encoded on the way.
 *
 * <p>What is not forwarded: control frames (each side's pings, pongs and closes are answered by the relay itself, as
 * a WebSocket endpoint must), messages a {@link MessageHooks hook} holds back for a check, and anything after the
 * source closed or broke the protocol. Frames the relay writes itself are {@linkplain #inject injected} only where
 * the outgoing stream is between frames (control frames) or between messages (data frames).
 *
 * <p>Single-threaded: every method runs on the session's event loop.
 */
public final class FrameForwarder {
  /** What the session is told about the source. */
  public interface Events {
    /** A ping, pong or close frame from the source, its payload unmasked. After a close nothing more is read. */
    void control(int opcode, Buffer payload);

    /**
     * The source broke the protocol (1002), sent invalid UTF-8 (1007) or a message over the limit (1009). Nothing
     * more is read from it; {@link #outputAtFrameBoundary()} tells whether a close frame can still follow cleanly.
     */
    void violation(int closeCode, String reason);

    /** A held message was refused (a guardrail block, or a failed check); nothing more is read. */
    void refused(Throwable cause);

    /**
     * The destination stopped taking bytes as fast as they came (its write queue is full), so the source is paused;
     * {@link #destinationDrained} follows when it catches up. Told once per stall.
     */
    default void destinationStalled() {}

    /** The destination's write queue drained after {@link #destinationStalled}. */
    default void destinationDrained() {}
  }

  private static final int FORWARD = 0;
  private static final int CONTROL = 1;
  private static final int HOLD = 2;
  private static final int DISCARD = 3;
  /** Forwarding is undecided until the message's type is known (a hook may want it held): keep its bytes back. */
  private static final int UNDECIDED = 4;
  /** Enough for {@code {"type":"} and the longest realtime event type. */
  private static final int SNIFF_MAX = 96;
  private static final byte[] TYPE_PREFIX = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);

  /** The source is paused because the sink's write queue is full (told to the events once per stall). */
  private boolean stalled;
  private final WireSource source;
  private final WireSink sink;
  private final boolean masked;
  private final long maxMessageBytes;
  private final boolean checkUtf8;
  private final MessageHooks hooks;
  private final Events events;
  private final FrameMeters meters;

  // The frame header being read; its bytes from earlier reads are not written until the frame is known to pass.
  private final byte[] header = new byte[14];
  private int headerHave;
  private int headerCarried;
  private boolean inPayload;
  // The current frame.
  private int opcode;
  private boolean fin;
  private int maskKey;
  private long remaining;
  private int phase;
  /** Where the current frame starts in the read being processed; -1 when it started in an earlier read. */
  private int frameStart;
  /** Whether a forwarded message was open in the outgoing stream where the current frame starts. */
  private boolean openAtFrameStart;
  private int action;
  // The current data message.
  private int messageOpcode;
  private long messageBytes;
  private int messageAction;
  /** Where the current message's first frame starts in the read being processed; -1 when in an earlier read. */
  private int messageStart;
  private final Utf8Check utf8 = new Utf8Check();
  private boolean typeKnown;
  private String type;
  private int interest;
  private final byte[] sniff = new byte[SNIFF_MAX];
  private byte[] lastTypeBytes;
  private String lastType;
  private int sniffLength;
  private Buffer assembly;
  private Buffer undecided;
  // The current control frame's payload.
  private final byte[] control = new byte[Frames.MAX_CONTROL_PAYLOAD];
  private int controlLength;
  // The outgoing stream.
  private boolean outFrameBoundary = true;
  private boolean outMessageBoundary = true;
  private boolean outputClosed;
  private final ArrayDeque<Injection> injections = new ArrayDeque<>(2);
  // Reading.
  private boolean inputDone;
  private boolean processing;
  private boolean holding;
  private Buffer held;
  private Buffer deferred;
  private long frames;
  private long bytes;
  private long reads;

  private record Injection(Buffer frame, boolean data, boolean close, Runnable afterWrite) {}

  /**
   * @param masked the source is a client: its frames must be masked (and an upstream's must not be)
   * @param hooks what the session wants to see of this direction's text messages, or null for nothing: then no
   *     message is looked into at all
   * @param meters node-wide frame counters, or null
   */
  public FrameForwarder(WireSource source, WireSink sink, boolean masked, long maxMessageBytes, boolean checkUtf8,
      MessageHooks hooks, Events events, FrameMeters meters) {
    this.source = source;
    this.sink = sink;
    this.masked = masked;
    this.maxMessageBytes = maxMessageBytes;
    this.checkUtf8 = checkUtf8;
    this.hooks = hooks;
    this.events = events;
    this.meters = meters;
  }

  /** Bytes read from the source; valid during the call only (a pooled read buffer): what is kept is copied. */
  public void onRead(Buffer chunk) {
    if (inputDone) {
      return;
    }
    if (holding) {
      // Already read when the source was paused: kept, in order, for when the held message is released.
      deferred = deferred == null ? chunk.copy() : Buffer.buffer(deferred.length() + chunk.length())
          .appendBuffer(deferred).appendBuffer(chunk);
      return;
    }
    long framesBefore = frames;
    long bytesBefore = bytes;
    process(chunk);
    if (meters != null) {
      meters.add(frames - framesBefore, bytes - bytesBefore);
    }
    if (!holding && !inputDone && sink.writeQueueFull()) {
      source.pause();
      if (!stalled) {
        stalled = true;
        events.destinationStalled();
      }
    }
  }

  /** The sink's write queue drained: read again, unless a held message or the end of input says otherwise. */
  public void drained() {
    if (stalled) {
      stalled = false;
      events.destinationDrained();
    }
    if (!holding && !inputDone) {
      source.resume();
    }
  }

  /**
   * A frame the relay itself sends to this direction's destination. A control frame goes out at the next frame
   * boundary, a data frame at the next message boundary; after a close frame nothing more is written.
   */
  public void inject(Buffer frame, boolean data) {
    injections.add(new Injection(frame, data, false, null));
    if (!processing) {
      flushInjections();
    }
  }

  /**
   * Sends a close frame (at the next frame boundary); from then on nothing more is written.
   *
   * @param afterWrite run once the close frame is written (e.g. to close the TCP connection), or null
   */
  public void injectClose(Buffer closeFrame, Runnable afterWrite) {
    injections.add(new Injection(closeFrame, false, true, afterWrite));
    if (!processing) {
      flushInjections();
    }
  }

  /** Stops reading: whatever the source sends from now on is ignored. */
  public void stop() {
    inputDone = true;
    holding = false;
    deferred = null;
  }

  /** Whether reading has stopped ({@link #stop}, a close frame or a violation from the source). */
  public boolean stopped() {
    return inputDone;
  }

  public boolean outputAtFrameBoundary() {
    return outFrameBoundary;
  }

  /** Whether a close frame has been written to the destination. */
  public boolean outputClosed() {
    return outputClosed;
  }

  /** Whether injected frames still wait for a boundary. */
  public boolean injectionsPending() {
    return !injections.isEmpty();
  }

  public long frames() {
    return frames;
  }

  public long bytes() {
    return bytes;
  }

  private void process(Buffer chunk) {
    processing = true;
    try {
      processRead(chunk);
    } finally {
      processing = false;
    }
    flushInjections();
  }

  private void processRead(Buffer chunk) {
    reads++;
    int length = chunk.length();
    int pos = 0;
    int out = 0;
    frameStart = headerHave > 0 || inPayload ? -1 : 0;
    messageStart = -1;
    while (pos < length && !inputDone) {
      if (!inPayload) {
        if (headerHave == 0) {
          frameStart = pos;
          openAtFrameStart = messageOpcode != 0 && messageAction == FORWARD;
          if (!injections.isEmpty()) {
            out = cut(chunk, out, pos);
            flushInjections();
          }
        }
        int need = headerLength();
        while (headerHave < need && pos < length) {
          header[headerHave++] = chunk.getByte(pos++);
          need = headerLength();
        }
        if (headerHave < need) {
          // The read ends inside a header: what precedes it goes out, its own bytes wait for the rest of it.
          if (frameStart >= 0) {
            cut(chunk, out, frameStart);
          }
          headerCarried = headerHave;
          return;
        }
        out = startFrame(chunk, out, pos);
        if (inputDone) {
          return;
        }
        if (remaining == 0) {
          out = endFrame(chunk, out, pos);
          if (stopsAtHeldMessage(chunk, pos, length)) {
            return;
          }
        }
        continue;
      }
      int n = (int) Math.min(remaining, length - pos);
      if (action == CONTROL) {
        for (int i = 0; i < n; i++) {
          control[controlLength++] = (byte) (chunk.getByte(pos + i) ^ maskByte(phase + i));
        }
        out = pos + n;
      } else {
        if (messageOpcode == Frames.TEXT && checkUtf8 && !utf8.feed(chunk, pos, pos + n, maskKey, phase)) {
          fail(chunk, out, 1007, "invalid UTF-8 in a text message", frameStart < 0 && messageAction == FORWARD);
          return;
        }
        bytes += n;
        out = payload(chunk, out, pos, n);
      }
      pos += n;
      remaining -= n;
      phase = (phase + n) & 3;
      if (remaining == 0) {
        out = endFrame(chunk, out, pos);
        if (stopsAtHeldMessage(chunk, pos, length)) {
          return;
        }
      }
    }
    if (!inputDone && out < length) {
      write(chunk, out, length, !inPayload && headerHave == 0, !inPayload && headerHave == 0 && messageOpcode == 0);
    }
  }

  /** Length of the header being read, as far as its first bytes tell. */
  private int headerLength() {
    if (headerHave < 2) {
      return 2;
    }
    int b1 = header[1] & 0xFF;
    int length = 2 + ((b1 & 0x80) != 0 ? 4 : 0);
    int small = b1 & 0x7F;
    return small == 126 ? length + 2 : small == 127 ? length + 8 : length;
  }

  /** The header is whole: validates it and decides what happens to the frame. Returns the new {@code out}. */
  private int startFrame(Buffer chunk, int out, int pos) {
    int b0 = header[0] & 0xFF;
    int b1 = header[1] & 0xFF;
    fin = (b0 & 0x80) != 0;
    opcode = b0 & 0x0F;
    boolean frameMasked = (b1 & 0x80) != 0;
    int small = b1 & 0x7F;
    long length;
    int at = 2;
    if (small == 126) {
      length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
      at = 4;
    } else if (small == 127) {
      length = 0;
      for (int i = 2; i < 10; i++) {
        length = (length << 8) | (header[i] & 0xFF);
      }
      at = 10;
    } else {
      length = small;
    }
    maskKey = frameMasked ? ((header[at] & 0xFF) << 24) | ((header[at + 1] & 0xFF) << 16)
        | ((header[at + 2] & 0xFF) << 8) | (header[at + 3] & 0xFF) : 0;
    int carried = headerCarried;
    headerCarried = 0;
    headerHave = 0;
    inPayload = true;
    remaining = length;
    phase = 0;
    String problem = problem(b0, frameMasked, length);
    if (problem != null) {
      inPayload = false;
      fail(chunk, out, problem.startsWith("message over") ? 1009 : 1002, problem, false);
      return out;
    }
    if (Frames.isControl(opcode)) {
      action = CONTROL;
      controlLength = 0;
      return skip(chunk, out, pos);
    }
    if (opcode != Frames.CONTINUATION) {
      messageStart = frameStart;
      beginMessage();
      if (!typeKnown) {
        peekType(chunk, pos);
      }
    }
    messageBytes += length;
    frames++;
    action = messageAction;
    if (action == FORWARD) {
      if (carried > 0) {
        // The first bytes of this header came in an earlier read and were kept back: they go out first.
        write(Buffer.buffer(carried).appendBytes(header, 0, carried), false, false);
      }
      return out;
    }
    if (action == UNDECIDED) {
      out = skip(chunk, out, pos);
      undecided.appendBytes(header, 0, at + (frameMasked ? 4 : 0));
      return out;
    }
    return skip(chunk, out, pos);
  }

  /** Why a frame header breaks the protocol or the limits, or null when it is fine. */
  private String problem(int b0, boolean frameMasked, long length) {
    if ((b0 & 0x70) != 0) {
      return "reserved bits set (no extension was negotiated)";
    }
    if (!Frames.isKnown(opcode)) {
      return "reserved opcode " + opcode;
    }
    if (frameMasked != masked) {
      return masked ? "client frames must be masked" : "server frames must not be masked";
    }
    if (length < 0) {
      return "frame length over 2^63";
    }
    if (Frames.isControl(opcode)) {
      if (!fin) {
        return "fragmented control frame";
      }
      return length > Frames.MAX_CONTROL_PAYLOAD ? "control frame payload over 125 bytes" : null;
    }
    if (opcode == Frames.CONTINUATION && messageOpcode == 0) {
      return "continuation frame without a message to continue";
    }
    if (opcode != Frames.CONTINUATION && messageOpcode != 0) {
      return "new message before the previous one ended";
    }
    long total = (opcode == Frames.CONTINUATION ? messageBytes : 0) + length;
    return total > maxMessageBytes ? "message over the " + maxMessageBytes + "-byte limit" : null;
  }

  private void beginMessage() {
    messageOpcode = opcode;
    messageBytes = 0;
    utf8.reset();
    assembly = null;
    type = null;
    interest = MessageHooks.NONE;
    sniffLength = 0;
    if (outputClosed) {
      messageAction = DISCARD;
      typeKnown = true;
    } else if (hooks == null || opcode != Frames.TEXT) {
      messageAction = FORWARD;
      typeKnown = true;
    } else {
      typeKnown = false;
      if (hooks.mayHold()) {
        messageAction = UNDECIDED;
        undecided = Buffer.buffer(256);
      } else {
        messageAction = FORWARD;
      }
    }
  }

  /**
   * Reads the type of a message that starts here when this read holds enough of it, the usual case: the message is
   * then forwarded (or held) from its first byte, with nothing kept back or copied to decide.
   */
  private void peekType(Buffer chunk, int pos) {
    int available = (int) Math.min(remaining, chunk.length() - pos);
    int k = Math.min(available, SNIFF_MAX);
    for (int i = 0; i < k; i++) {
      sniff[i] = (byte) (chunk.getByte(pos + i) ^ maskByte(i));
    }
    sniffLength = k;
    boolean decided = readType(fin && k == remaining);
    sniffLength = 0;
    if (!decided) {
      return;
    }
    typeKnown = true;
    interest = hooks.interest(type);
    if (interest != MessageHooks.NONE) {
      assembly = Buffer.buffer((int) Math.min(remaining + 64, 1 << 16));
    }
    messageAction = interest == MessageHooks.HOLD ? HOLD : FORWARD;
    undecided = null;
  }

  /** Payload bytes {@code [pos, pos + n)} of a data frame. Returns the new {@code out}. */
  private int payload(Buffer chunk, int out, int pos, int n) {
    int sniffed = 0;
    if (!typeKnown) {
      sniffed = Math.min(n, SNIFF_MAX - sniffLength);
      for (int i = 0; i < sniffed; i++) {
        sniff[sniffLength++] = (byte) (chunk.getByte(pos + i) ^ maskByte(phase + i));
      }
      boolean messageEnds = fin && remaining == n;
      if (readType(messageEnds && sniffed == n)) {
        return decided(chunk, out, pos, n, sniffed);
      }
    }
    if (messageAction == UNDECIDED) {
      undecided.appendBuffer(chunk, pos, n);
      return pos + n;
    }
    if (assembly != null) {
      appendUnmasked(chunk, pos + sniffed, pos + n, phase + sniffed);
    }
    return messageAction == FORWARD ? out : pos + n;
  }

  /** The message's type just became known while reading {@code [pos, pos + n)}, {@code sniffed} of them sniffed. */
  private int decided(Buffer chunk, int out, int pos, int n, int sniffed) {
    typeKnown = true;
    interest = hooks.interest(type);
    if (interest != MessageHooks.NONE) {
      assembly = Buffer.buffer(interest == MessageHooks.OBSERVE ? Math.max(256, sniffLength) : 1024)
          .appendBytes(sniff, 0, sniffLength);
      appendUnmasked(chunk, pos + sniffed, pos + n, phase + sniffed);
    }
    if (messageAction != UNDECIDED) {
      return out;
    }
    if (interest == MessageHooks.HOLD) {
      messageAction = HOLD;
      action = HOLD;
      undecided = null;
      return pos + n;
    }
    // Not held after all: what was kept back goes out now, this read's part of the message with it.
    messageAction = FORWARD;
    action = FORWARD;
    undecided.appendBuffer(chunk, pos, n);
    Buffer kept = undecided;
    undecided = null;
    write(kept, remaining == n, remaining == n && fin);
    return pos + n;
  }

  /**
   * Reads the type from the sniffed first bytes: {@code {"type":"NAME"} as realtime clients and providers write it.
   * Returns true once decided; {@link #type} stays null when the bytes do not start that way (a full parse then
   * finds it, if anyone wants the message).
   */
  private boolean readType(boolean messageEnds) {
    int prefix = Math.min(sniffLength, TYPE_PREFIX.length);
    for (int i = 0; i < prefix; i++) {
      if (sniff[i] != TYPE_PREFIX[i]) {
        return true;
      }
    }
    for (int i = TYPE_PREFIX.length; i < sniffLength; i++) {
      byte b = sniff[i];
      if (b == '"') {
        type = typeString(TYPE_PREFIX.length, i);
        return true;
      }
      if (b == '\\') {
        return true;
      }
    }
    return messageEnds || sniffLength == SNIFF_MAX;
  }

  /**
   * The type named by {@code sniff[from, to)}: the previous message's String when the bytes are the same (audio
   * deltas and appends come in long runs of one type), so most messages allocate nothing to be typed.
   */
  private String typeString(int from, int to) {
    int length = to - from;
    if (lastType != null && lastTypeBytes.length == length
        && java.util.Arrays.equals(lastTypeBytes, 0, length, sniff, from, to)) {
      return lastType;
    }
    lastTypeBytes = java.util.Arrays.copyOfRange(sniff, from, to);
    lastType = new String(lastTypeBytes, StandardCharsets.UTF_8);
    return lastType;
  }

  /** The current frame's payload is complete. Returns the new {@code out}. */
  private int endFrame(Buffer chunk, int out, int pos) {
    inPayload = false;
    if (action == CONTROL) {
      Buffer payload = Buffer.buffer(controlLength).appendBytes(control, 0, controlLength);
      if (opcode == Frames.CLOSE) {
        inputDone = true;
      }
      events.control(opcode, payload);
      return pos;
    }
    if (!fin) {
      return out;
    }
    if (messageOpcode == Frames.TEXT && checkUtf8 && !utf8.complete()) {
      fail(chunk, out, 1007, "invalid UTF-8 in a text message", frameStart < 0 && messageAction == FORWARD);
      return out;
    }
    if (!typeKnown) {
      // An empty last frame ended a message whose first bytes never named a type.
      out = decided(chunk, out, pos, 0, 0);
    }
    messageOpcode = 0;
    Buffer message = assembly;
    assembly = null;
    undecided = null;
    if (type == null && message != null) {
      type = MessageType.of(message);
    }
    if (messageAction == HOLD) {
      holding = true;
      held = message;
      source.pause();
      return pos;
    }
    if (message != null && interest == MessageHooks.OBSERVE) {
      hooks.message(type, message);
      if (messageStart >= out && closePending()) {
        // The hook ended the session on this very message (a guardrail that decided at once), and none of the
        // message has gone out yet: it is not delivered.
        if (messageStart > out) {
          write(chunk, out, messageStart, true, true);
        }
        return pos;
      }
    }
    return out;
  }

  private boolean closePending() {
    for (Injection i : injections) {
      if (i.close()) {
        return true;
      }
    }
    return false;
  }

  /**
   * A frame just ended at {@code pos}. If it completed a message the hooks are holding, reading stops here: the rest
   * of the chunk is kept for after the verdict, which may come later.
   */
  private boolean stopsAtHeldMessage(Buffer chunk, int pos, int length) {
    if (!holding) {
      return false;
    }
    deferred = pos < length ? chunk.slice(pos, length).copy() : null;
    checkHeld();
    return true;
  }

  /** Asks the hooks about the message just held; the source stays paused until they answer. */
  private void checkHeld() {
    Buffer message = held;
    held = null;
    hooks.check(type, message).onComplete(ar -> release(ar.succeeded() ? ar.result() : null, ar.cause()));
  }

  /** A held message was checked: its replacement goes out, then what was read meanwhile. */
  private void release(String replacement, Throwable failure) {
    if (inputDone) {
      return;
    }
    if (failure != null) {
      inputDone = true;
      holding = false;
      deferred = null;
      events.refused(failure);
      return;
    }
    holding = false;
    write(Frames.text(replacement, masked), true, true);
    Buffer rest = deferred;
    deferred = null;
    if (rest != null) {
      onRead(rest);
    } else {
      flushInjections();
    }
    if (!holding && !inputDone && !sink.writeQueueFull()) {
      source.resume();
    }
  }

  /**
   * The source broke a rule: what came before the offending frame goes out, the frame and the rest do not.
   *
   * @param frameWritten part of the offending frame went out in an earlier read: the destination's stream now ends
   *     mid-frame, where no close frame can follow
   */
  private void fail(Buffer chunk, int out, int code, String reason, boolean frameWritten) {
    if (frameStart >= 0) {
      cut(chunk, out, frameStart);
    } else if (frameWritten) {
      outFrameBoundary = false;
      outMessageBoundary = false;
    }
    inputDone = true;
    holding = false;
    events.violation(code, reason);
  }

  /** Writes {@code [out, at)}, where the current frame starts, and returns {@code at}. */
  private int cut(Buffer chunk, int out, int at) {
    if (at > out) {
      write(chunk, out, at, true, !openAtFrameStart);
    }
    return at;
  }

  /** Writes what precedes a frame that is not forwarded, and skips the frame's header. */
  private int skip(Buffer chunk, int out, int pos) {
    if (frameStart >= 0) {
      cut(chunk, out, frameStart);
    }
    return pos;
  }

  private void write(Buffer chunk, int from, int to, boolean frameBoundary, boolean messageBoundary) {
    write(from == 0 && to == chunk.length() ? chunk : chunk.slice(from, to), frameBoundary, messageBoundary);
  }

  private void write(Buffer bytes, boolean frameBoundary, boolean messageBoundary) {
    if (outputClosed) {
      return;
    }
    if (meters != null && reads % FrameMeters.SAMPLE_EVERY == 0) {
      long started = System.nanoTime();
      sink.write(bytes);
      meters.forwardTook(System.nanoTime() - started);
    } else {
      sink.write(bytes);
    }
    outFrameBoundary = frameBoundary;
    outMessageBoundary = messageBoundary;
  }

  private void flushInjections() {
    while (!injections.isEmpty()) {
      if (outputClosed) {
        injections.clear();
        return;
      }
      Injection next = injections.peek();
      if (!(next.data() ? outMessageBoundary : outFrameBoundary)) {
        return;
      }
      injections.poll();
      sink.write(next.frame());
      if (next.close()) {
        outputClosed = true;
        injections.clear();
        if (next.afterWrite() != null) {
          next.afterWrite().run();
        }
        return;
      }
    }
  }

  private void appendUnmasked(Buffer chunk, int from, int to, int firstPhase) {
    if (from >= to) {
      return;
    }
    if (maskKey == 0) {
      assembly.appendBuffer(chunk, from, to - from);
      return;
    }
    for (int i = from, p = firstPhase; i < to; i++, p++) {
      assembly.appendByte((byte) (chunk.getByte(i) ^ maskByte(p)));
    }
  }

  private int maskByte(int payloadOffset) {
    return maskKey >>> (24 - 8 * (payloadOffset & 3));
  }
}
