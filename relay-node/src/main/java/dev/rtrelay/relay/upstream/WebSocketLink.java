package dev.rtrelay.relay.upstream;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider link over a WebSocket whose messages are JSON in text or binary frames (Gemini Live sends binary).
 * Fragmented messages are reassembled up to {@code maxMessageBytes}; a bigger one closes the link with 1009.
 */
public final class WebSocketLink implements ProviderLink {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketLink.class);
  private static final Buffer PING_PAYLOAD = Buffer.buffer("rtrelay");

  private final WebSocket socket;
  private final List<WebSocketFrame> earlyFrames;
  private final int maxMessageBytes;
  private Handler<JsonObject> messages;
  private Buffer partial;

  /** @param earlyFrames frames read before the session could take over; delivered first */
  public WebSocketLink(WebSocket socket, List<WebSocketFrame> earlyFrames, int maxMessageBytes) {
    this.socket = socket;
    this.earlyFrames = earlyFrames;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public void start(Handler<JsonObject> messages, Handler<Closed> closed) {
    this.messages = messages;
    socket.exceptionHandler(e -> LOG.debug("provider socket error: {}", e.toString()));
    // Replaces the connector's early-frame collector, which would otherwise keep every frame for the session's life.
    socket.frameHandler(this::onFrame);
    // Reported once: a close seen at start (the close frame came with the handshake) and Vert.x's close handler
    // must not both count.
    boolean[] reported = new boolean[1];
    Handler<Void> report = v -> {
      if (!reported[0]) {
        reported[0] = true;
        closed.handle(new Closed(socket.closeStatusCode(), socket.closeReason()));
      }
    };
    socket.closeHandler(report);
    List<WebSocketFrame> early = List.copyOf(earlyFrames);
    earlyFrames.clear();
    early.forEach(this::onFrame);
    socket.resume();
    if (socket.isClosed()) {
      report.handle(null);
    }
  }

  private void onFrame(WebSocketFrame frame) {
    switch (frame.type()) {
      case TEXT, BINARY -> partial = frame.isFinal() ? null : frame.binaryData().copy();
      case CONTINUATION -> {
        if (partial == null) {
          return;
        }
        partial.appendBuffer(frame.binaryData());
      }
      default -> {
        return;
      }
    }
    if (partial != null && partial.length() > maxMessageBytes) {
      partial = null;
      close((short) 1009, "message too big");
      return;
    }
    if (!frame.isFinal()) {
      return;
    }
    Buffer whole = frame.type() == io.vertx.core.http.WebSocketFrameType.CONTINUATION ? partial : frame.binaryData();
    partial = null;
    if (whole.length() > maxMessageBytes) {
      close((short) 1009, "message too big");
      return;
    }
    JsonObject parsed;
    try {
      parsed = new JsonObject(whole);
    } catch (RuntimeException notJson) {
      LOG.debug("provider sent a message that is not a JSON object; ignored");
      return;
    }
    messages.handle(parsed);
  }

  @Override
  public void send(String json) {
    if (!socket.isClosed()) {
      socket.writeTextMessage(json);
    }
  }

  @Override
  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    socket.drainHandler(handler);
  }

  @Override
  public void pause() {
    socket.pause();
  }

  @Override
  public void resume() {
    socket.resume();
  }

  @Override
  public void ping() {
    if (!socket.isClosed()) {
      socket.writePing(PING_PAYLOAD);
    }
  }

  @Override
  public boolean isClosed() {
    return socket.isClosed();
  }

  @Override
  public void close(short code, String reason) {
    if (!socket.isClosed()) {
      socket.close(code, reason);
    }
  }

  @Override
  public void setWriteQueueMaxBytes(int bytes) {
    socket.setWriteQueueMaxSize(bytes);
  }
}
