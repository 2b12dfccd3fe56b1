package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.events.MessageType;
import dev.rtrelay.relay.guardrails.ClientGate;
import dev.rtrelay.relay.metrics.FrameMeters;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Forwards data frames one way, frame by frame: text stays text, binary stays binary, fragmentation is preserved and
 * nothing is reassembled or buffered by the relay. When the destination's write queue is full the source is paused
 * (which stops reading its TCP socket, pushing back to the sender) and resumed on drain.
 */
final class FramePump {
  private final WebSocketBase from;
  private final WebSocketBase to;
  private final int maxMessageBytes;
  private final Runnable onMessageTooBig;
  private final Handler<WebSocketFrame> observer;
  private final ClientGate gate;
  private final Consumer<Throwable> onGateFailure;
  private final FrameMeters meters;
  private Buffer gated;
  private boolean checking;
  private long currentMessageBytes;
  private long frames;
  private long bytes;

  /**
   * @param observer sees each data frame before it is written (writing hands its buffer to Netty); may be null
   * @param gate guardrails that must pass certain text messages before they are forwarded; null for none, and then
   *     no frame is inspected for it
   * @param onGateFailure told when the gate refuses a message (the session then ends)
   */
  FramePump(WebSocketBase from, WebSocketBase to, int maxMessageBytes, Runnable onMessageTooBig,
      Handler<WebSocketFrame> observer, ClientGate gate, Consumer<Throwable> onGateFailure, FrameMeters meters) {
    this.meters = meters;
    this.from = from;
    this.to = to;
    this.maxMessageBytes = maxMessageBytes;
    this.onMessageTooBig = onMessageTooBig;
    this.observer = observer;
    this.gate = gate;
    this.onGateFailure = onGateFailure;
  }

  /** @param pending frames already read from {@code from}; forwarded first so order is kept */
  void start(List<WebSocketFrame> pending) {
    // While a gated message is being checked the source stays paused, whatever the destination's queue does.
    to.drainHandler(v -> {
      if (!checking) {
        from.resume();
      }
    });
    pending.forEach(this::forward);
    from.frameHandler(this::forward);
  }

  private void forward(WebSocketFrame frame) {
    int length;
    switch (frame.type()) {
      case TEXT, BINARY -> {
        length = frame.binaryData().length();
        currentMessageBytes = length;
      }
      case CONTINUATION -> {
        length = frame.binaryData().length();
        currentMessageBytes += length;
      }
      default -> {
        // Ping, pong and close are answered by each socket itself; forwarding them would confuse the other peer.
        return;
      }
    }
    // With frame-level forwarding Vert.x does not aggregate, so a message split into small fragments must be
    // bounded here; otherwise it would pass the configured message limit unchecked.
    if (currentMessageBytes > maxMessageBytes) {
      onMessageTooBig.run();
      return;
    }
    if (to.isClosed()) {
      return;
    }
    if (gate != null && holdForCheck(frame)) {
      return;
    }
    frames++;
    bytes += length;
    meters.frame(length);
    if (observer != null) {
      observer.handle(frame);
    }
    if (frames % FrameMeters.SAMPLE_EVERY == 0) {
      long started = System.nanoTime();
      to.writeFrame(frame);
      meters.forwardTook(System.nanoTime() - started);
    } else {
      to.writeFrame(frame);
    }
    if (to.writeQueueFull()) {
      from.pause();
    }
  }

  /**
   * Keeps a text message whose type the gate checks (all its fragments), then releases it once checked. Returns
   * false for every other frame, which is forwarded at once.
   */
  private boolean holdForCheck(WebSocketFrame frame) {
    if (frame.type() == WebSocketFrameType.TEXT) {
      String type = MessageType.of(frame.binaryData());
      if (type == null || !gate.wants(type)) {
        return false;
      }
      gated = frame.binaryData().copy();
    } else if (frame.type() == WebSocketFrameType.CONTINUATION && gated != null) {
      gated.appendBuffer(frame.binaryData());
    } else {
      return false;
    }
    if (frame.isFinal()) {
      release();
    }
    return true;
  }

  /** Checks a held message with the source paused, so nothing overtakes it, then forwards what the gate allows. */
  private void release() {
    String message = gated.toString(StandardCharsets.UTF_8);
    gated = null;
    checking = true;
    from.pause();
    gate.check(message).onComplete(ar -> {
      checking = false;
      if (ar.failed()) {
        onGateFailure.accept(ar.cause());
        return;
      }
      if (!to.isClosed()) {
        String out = ar.result();
        if (observer != null) {
          observer.handle(WebSocketFrame.textFrame(out, true));
        }
        frames++;
        bytes += out.length();
        meters.frame(out.length());
        to.writeTextMessage(out);
        if (!to.writeQueueFull()) {
          from.resume();
        }
      }
    });
  }

  long frames() {
    return frames;
  }

  long bytes() {
    return bytes;
  }
}
