package dev.rtrelay.relay.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Client events tests send, in the GA shape. */
public final class ClientEvents {
  private ClientEvents() {}

  /** {@code conversation.item.create} with one user input_text part. */
  public static String userText(String text) {
    return new JsonObject().put("type", "conversation.item.create").put("item", new JsonObject()
        .put("type", "message").put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "input_text").put("text", text)))).encode();
  }
}
