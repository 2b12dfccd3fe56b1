package dev.rtrelay.relay.events;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

/**
 * Rebuilds whole text messages from frames for logging only (the relay itself forwards frame by frame). Fragmented
 * messages are rare in realtime traffic; their size is already bounded by the relay's message limit.
 */
public final class MessageAssembler {
  private Buffer partial;
  private boolean inText;

  /**
   * Returns a complete text message, or null (binary, or not complete yet). A single-frame message is returned
   * without copying: it is only valid until the frame is forwarded.
   */
  public Buffer accept(WebSocketFrame frame) {
    switch (frame.type()) {
      case TEXT -> {
        if (frame.isFinal()) {
          inText = false;
          partial = null;
          return frame.binaryData();
        }
        inText = true;
        partial = frame.binaryData().copy();
        return null;
      }
      case CONTINUATION -> {
        if (!inText) {
          return null;
        }
        partial.appendBuffer(frame.binaryData());
        if (frame.isFinal()) {
          inText = false;
          Buffer whole = partial;
          partial = null;
          return whole;
        }
        return null;
      }
      default -> {
        inText = false;
        partial = null;
        return null;
      }
    }
  }
}
