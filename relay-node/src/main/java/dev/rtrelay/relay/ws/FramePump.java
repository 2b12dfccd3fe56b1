package dev.rtrelay.relay.ws;

import io.vertx.core.Handler;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrame;
import java.util.List;

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
  private long currentMessageBytes;
  private long frames;
  private long bytes;

  /** @param observer sees each data frame before it is written (writing hands its buffer to Netty); may be null */
  FramePump(WebSocketBase from, WebSocketBase to, int maxMessageBytes, Runnable onMessageTooBig,
      Handler<WebSocketFrame> observer) {
    this.from = from;
    this.to = to;
    this.maxMessageBytes = maxMessageBytes;
    this.onMessageTooBig = onMessageTooBig;
    this.observer = observer;
  }

  /** @param pending frames already read from {@code from}; forwarded first so order is kept */
  void start(List<WebSocketFrame> pending) {
    to.drainHandler(v -> from.resume());
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
    frames++;
    bytes += length;
    if (observer != null) {
      observer.handle(frame);
    }
    to.writeFrame(frame);
    if (to.writeQueueFull()) {
      from.pause();
    }
  }

  long frames() {
    return frames;
  }

  long bytes() {
    return bytes;
  }
}
