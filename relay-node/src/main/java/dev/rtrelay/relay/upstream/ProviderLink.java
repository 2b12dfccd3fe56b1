package dev.rtrelay.relay.upstream;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;

/**
 * A translated session's provider side: one JSON message at a time each way, whatever carries them (a WebSocket for
 * Gemini Live, an HTTP/2 event stream for Bedrock). Used from the session's event loop; handlers run there too.
 */
public interface ProviderLink {
  /** How the provider side ended: a WebSocket close code and reason, or null ones when the connection just dropped. */
  record Closed(Short code, String reason) {}

  /**
   * Starts delivering provider messages (and, once, the end of the link). Messages that arrived before this call are
   * delivered first.
   */
  void start(Handler<JsonObject> messages, Handler<Closed> closed);

  /** One message, encoded as JSON. */
  void send(String json);

  /** The send queue's limit, past which {@link #writeQueueFull} is true. */
  void setWriteQueueMaxBytes(int bytes);

  /** The send queue is over its limit: the caller stops reading its own source until {@link #drainHandler} runs. */
  boolean writeQueueFull();

  void drainHandler(Handler<Void> handler);

  void pause();

  void resume();

  /** Keeps idle intermediaries from cutting a quiet link; a no-op where the transport has its own keep-alive. */
  void ping();

  boolean isClosed();

  /** Closes the link; its closed handler still runs once, unless the caller replaced the link before. */
  void close(short code, String reason);
}
