package dev.rtrelay.relay.guardrails;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Strict during_call: keeps the provider from answering a spoken turn by itself (turn detection with
 * {@code create_response: false}, in the client's session.update and in one the relay sends after
 * {@code session.created}, as LiteLLM does), so the relay can send {@code response.create} once the transcript has
 * passed its guardrails. Wraps the session's pre_call gate, if any.
 */
public final class TurnHold implements ClientGate {
  private final ClientGate preCall;
  private final boolean beta;

  /**
   * @param preCall the session's pre_call gate, or null
   * @param beta the client speaks the beta protocol ({@code OpenAI-Beta: realtime=v1}): turn detection lives in
   *     {@code session.turn_detection} instead of {@code session.audio.input.turn_detection}
   */
  public TurnHold(ClientGate preCall, boolean beta) {
    this.preCall = preCall;
    this.beta = beta;
  }

  @Override
  public boolean wants(String type) {
    return type.equals("session.update") || (preCall != null && preCall.wants(type));
  }

  @Override
  public Future<String> check(String message) {
    Future<String> checked = preCall != null ? preCall.check(message) : Future.succeededFuture(message);
    return checked.map(this::holdResponses);
  }

  /** The session.update the relay sends right after session.created. */
  public String initialUpdate() {
    JsonObject update = new JsonObject().put("type", "session.update").put("session", new JsonObject());
    return holdResponses(update.encode());
  }

  private String holdResponses(String message) {
    JsonObject event;
    try {
      event = new JsonObject(message);
    } catch (RuntimeException notJson) {
      return message;
    }
    if (!"session.update".equals(event.getValue("type")) || !(event.getValue("session") instanceof JsonObject s)) {
      return message;
    }
    JsonObject holder = s;
    if (!beta) {
      s.put("type", s.getValue("type") == null ? "realtime" : s.getValue("type"));
      JsonObject audio = s.getValue("audio") instanceof JsonObject a ? a : new JsonObject();
      JsonObject input = audio.getValue("input") instanceof JsonObject i ? i : new JsonObject();
      s.put("audio", audio.put("input", input));
      holder = input;
    }
    if (holder.containsKey("turn_detection") && holder.getValue("turn_detection") == null) {
      // The client switched turn detection off: it creates responses itself, nothing to hold.
      return event.encode();
    }
    JsonObject detection = holder.getValue("turn_detection") instanceof JsonObject d ? d
        : new JsonObject().put("type", "server_vad");
    holder.put("turn_detection", detection.put("create_response", false));
    return event.encode();
  }
}
