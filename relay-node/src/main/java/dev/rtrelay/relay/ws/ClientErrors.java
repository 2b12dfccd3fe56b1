package dev.rtrelay.relay.ws;

import io.vertx.core.json.JsonObject;

/** The OpenAI-shaped {@code error} event the relay itself sends a client (SDKs surface these as errors). */
final class ClientErrors {
  private ClientErrors() {}

  /** @param code omitted when null */
  static JsonObject event(String type, String code, String message) {
    JsonObject error = new JsonObject().put("type", type);
    if (code != null) {
      error.put("code", code);
    }
    return new JsonObject().put("type", "error").put("error", error.put("message", message));
  }
}
