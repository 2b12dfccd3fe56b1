package dev.rtrelay.relay.simulated;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Builds server events in the shape of the chosen flavour. Kept apart from the session so the state machine
 * reads as a sequence of protocol steps rather than JSON plumbing.
 */
final class RealtimeEvents {
  static final String INVALID_REQUEST = "invalid_request_error";

  private final ProtocolFlavour flavour;
  private final IdSource ids;

  RealtimeEvents(ProtocolFlavour flavour, IdSource ids) {
    this.flavour = flavour;
    this.ids = ids;
  }

  ProtocolFlavour flavour() {
    return flavour;
  }

  /** Every server event gets a fresh id; clients and relays correlate and deduplicate on it. */
  JsonObject event(String type) {
    return new JsonObject().put("type", type).put("event_id", ids.eventId());
  }

  JsonObject error(String code, String message, String clientEventId) {
    return event("error").put("error", new JsonObject()
        .put("type", INVALID_REQUEST)
        .put("code", code)
        .put("message", message)
        .put("param", null)
        .put("event_id", clientEventId));
  }

  /**
   * Defaults mirror what the real service announces for each flavour, except turn detection: the simulator
   * has no voice activity detection, and saying so ({@code null}) keeps clients from waiting for server VAD.
   */
  JsonObject initialSession(String model) {
    JsonObject session = new JsonObject()
        .put("id", ids.objectId("sess"))
        .put("object", "realtime.session")
        .put("model", model)
        .put("instructions", "")
        .put("tools", new JsonArray())
        .put("tool_choice", "auto");
    if (flavour == ProtocolFlavour.GA) {
      JsonObject pcm = new JsonObject().put("type", "audio/pcm").put("rate", SyntheticAudio.SAMPLE_RATE);
      return session
          .put("type", "realtime")
          .put("output_modalities", new JsonArray().add("audio"))
          .put("max_output_tokens", "inf")
          .put("audio", new JsonObject()
              .put("input", new JsonObject()
                  .put("format", pcm.copy())
                  .put("transcription", null)
                  .put("turn_detection", null))
              .put("output", new JsonObject()
                  .put("format", pcm.copy())
                  .put("voice", "alloy")
                  .put("speed", 1.0)));
    }
    return session
        .put("modalities", new JsonArray().add("text").add("audio"))
        .put("voice", "alloy")
        .put("input_audio_format", "pcm16")
        .put("output_audio_format", "pcm16")
        .put("input_audio_transcription", null)
        .put("turn_detection", null)
        .put("temperature", 0.8)
        .put("max_response_output_tokens", "inf");
  }

  /** Beta announces an item once; GA splits it into "added" and "done". */
  JsonObject[] itemStored(JsonObject item, String previousItemId) {
    if (flavour == ProtocolFlavour.BETA) {
      return new JsonObject[] {
          event("conversation.item.created").put("previous_item_id", previousItemId).put("item", item)
      };
    }
    return new JsonObject[] {
        event("conversation.item.added").put("previous_item_id", previousItemId).put("item", item.copy()),
        event("conversation.item.done").put("previous_item_id", previousItemId).put("item", item)
    };
  }

  JsonObject userAudioItem(String itemId) {
    return new JsonObject()
        .put("id", itemId)
        .put("object", "realtime.item")
        .put("type", "message")
        .put("status", "completed")
        .put("role", "user")
        .put("content", new JsonArray().add(new JsonObject().put("type", "input_audio").put("transcript", null)));
  }

  JsonObject assistantItem(String itemId, String status, JsonArray content) {
    return new JsonObject()
        .put("id", itemId)
        .put("object", "realtime.item")
        .put("type", "message")
        .put("status", status)
        .put("role", "assistant")
        .put("content", content);
  }

  /** The part as announced before streaming (empty) and as finished (full text), depending on {@code text}. */
  JsonObject part(boolean audio, String text) {
    return audio
        ? new JsonObject().put("type", flavour.audioPartType).put("transcript", text)
        : new JsonObject().put("type", flavour.textPartType).put("text", text);
  }

  JsonObject response(String responseId, String conversationId, String status, JsonArray modalities,
                      JsonArray output, JsonObject usage) {
    return new JsonObject()
        .put("id", responseId)
        .put("object", "realtime.response")
        .put("status", status)
        .put("status_details", null)
        .put("conversation_id", conversationId)
        .put(flavour.modalitiesKey, modalities)
        .put("output", output)
        .put("usage", usage)
        .put("metadata", null);
  }

  /** The addressing every streaming event of the single-item, single-part response carries. */
  JsonObject contentEvent(String type, String responseId, String itemId) {
    return event(type)
        .put("response_id", responseId)
        .put("item_id", itemId)
        .put("output_index", 0)
        .put("content_index", 0);
  }
}
