package dev.rtrelay.relay.translate;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What a translator tells an OpenAI Realtime client: the response lifecycle (created, output item, content part,
 * deltas, the matching {@code .done} events, {@code response.done} with usage), input transcription and errors, with
 * unique ids, in the event names the client chose (GA, or beta with {@code OpenAI-Beta: realtime=v1}). One per
 * session; every provider translator builds on it, so clients see the same shapes whatever the provider.
 */
final class OpenAiEvents {
  private final String sessionId;
  private final boolean beta;
  private final String idMiddle;
  private long ids;
  private Response response;
  private String inputItemId;
  private final StringBuilder inputTranscript = new StringBuilder();

  OpenAiEvents(String sessionId, boolean beta) {
    this.sessionId = sessionId;
    this.beta = beta;
    // Made once: an id is needed for every audio delta.
    this.idMiddle = "_" + sessionId.substring(Math.max(0, sessionId.length() - 8)) + "_";
  }

  boolean beta() {
    return beta;
  }

  /** A response is in flight (created and not yet done). */
  boolean responding() {
    return response != null;
  }

  JsonObject event(String type) {
    return new JsonObject().put("type", type).put("event_id", newId("event"));
  }

  JsonObject error(String code, String message) {
    return event("error").put("error", new JsonObject().put("type", "invalid_request_error").put("code", code)
        .put("message", message));
  }

  String newId(String prefix) {
    return prefix + idMiddle + (++ids);
  }

  /** The session as {@code session.created} first shows it: audio output, no instructions. */
  JsonObject newSession(String model) {
    return new JsonObject().put("id", sessionId).put("object", "realtime.session").put("model", model)
        .put(beta ? "modalities" : "output_modalities", new JsonArray().add("audio")).put("instructions", "");
  }

  /**
   * A {@code session.update} after the provider took its configuration (once, at the start): an error naming what
   * happened, then {@code session.updated} with the session as it stands, so clients waiting for it go on.
   */
  void updateNotApplied(String provider, JsonObject session, Translator.Output out) {
    out.toClient(error("session_update_not_applied", provider + " takes its configuration once, at the start of the "
        + "session; this session.update was not applied (start a new session to change it)"));
    out.toClient(event("session.updated").put("session", session.copy()));
  }

  /** The client's own item, acknowledged under the name its protocol version uses. */
  void itemAdded(JsonObject item, Translator.Output out) {
    out.toClient(event(beta ? "conversation.item.created" : "conversation.item.added").put("item", item));
  }

  void text(String delta, Translator.Output out) {
    open(false, out).text.append(delta);
    out.toClient(deltaEvent(beta ? "response.text.delta" : "response.output_text.delta").put("delta", delta));
  }

  /** Audio arrives every few tens of milliseconds: its delta is written as text, not built as a JSON tree. */
  void audio(String base64, Translator.Output out) {
    open(true, out);
    String type = beta ? "response.audio.delta" : "response.output_audio.delta";
    if (!plainBase64(base64)) {
      out.toClient(deltaEvent(type).put("delta", base64));
      return;
    }
    // Ids are letters, digits and underscores: nothing in them needs escaping.
    out.toClientEncoded(type, "{\"type\":\"" + type + "\",\"event_id\":\"" + newId("event") + "\",\"response_id\":\""
        + response.id + "\",\"item_id\":\"" + response.itemId + "\",\"output_index\":0,\"content_index\":0,\"delta\":\""
        + base64 + "\"}");
  }

  private static boolean plainBase64(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
          || c == '=')) {
        return false;
      }
    }
    return true;
  }

  void transcript(String delta, Translator.Output out) {
    open(true, out).transcript.append(delta);
    out.toClient(deltaEvent(beta ? "response.audio_transcript.delta" : "response.output_audio_transcript.delta")
        .put("delta", delta));
  }

  /** A function call the model made, as a completed function_call item of the current response. */
  JsonObject functionCall(String callId, String name, String arguments, Translator.Output out) {
    Response r = open(false, out);
    JsonObject item = new JsonObject().put("id", newId("item")).put("type", "function_call")
        .put("status", "completed").put("call_id", callId).put("name", name).put("arguments", arguments);
    r.functionCalls.add(item);
    int index = r.functionCalls.size();
    JsonObject started = item.copy().put("status", "in_progress").put("arguments", "");
    out.toClient(event("response.output_item.added").put("response_id", r.id).put("output_index", index)
        .put("item", started));
    // As OpenAI does, and as clients such as pipecat expect before the arguments: the item joins the conversation,
    // and the arguments stream (here in one delta).
    itemAdded(started.copy(), out);
    out.toClient(event("response.function_call_arguments.delta").put("response_id", r.id)
        .put("item_id", item.getString("id")).put("output_index", index).put("call_id", callId).put("delta", arguments));
    out.toClient(event("response.function_call_arguments.done").put("response_id", r.id)
        .put("item_id", item.getString("id")).put("output_index", index).put("call_id", callId).put("name", name)
        .put("arguments", arguments));
    out.toClient(event("response.output_item.done").put("response_id", r.id).put("output_index", index)
        .put("item", item));
    return item;
  }

  /**
   * Ends the current response, if any, with {@code status} (completed, cancelled, incomplete) and its usage.
   *
   * @param usage OpenAI-shaped usage, or null when the provider reported none for it
   * @return whether a response was in flight
   */
  boolean finish(String status, JsonObject usage, Translator.Output out) {
    Response r = response;
    response = null;
    if (r == null) {
      return false;
    }
    JsonObject part = new JsonObject().put("type", partType(r.audio));
    if (r.audio) {
      part.put("transcript", r.transcript.toString());
      out.toClient(doneEvent(r, beta ? "response.audio.done" : "response.output_audio.done"));
      out.toClient(doneEvent(r, beta ? "response.audio_transcript.done" : "response.output_audio_transcript.done")
          .put("transcript", r.transcript.toString()));
    } else {
      part.put("text", r.text.toString());
      out.toClient(doneEvent(r, beta ? "response.text.done" : "response.output_text.done")
          .put("text", r.text.toString()));
    }
    out.toClient(doneEvent(r, "response.content_part.done").put("part", part));
    JsonObject message = new JsonObject().put("id", r.itemId).put("type", "message").put("role", "assistant")
        .put("status", status.equals("completed") ? "completed" : "incomplete")
        .put("content", new JsonArray().add(part));
    out.toClient(event("response.output_item.done").put("response_id", r.id).put("output_index", 0)
        .put("item", message));
    JsonArray output = new JsonArray().add(message);
    r.functionCalls.forEach(output::add);
    JsonObject done = new JsonObject().put("id", r.id).put("object", "realtime.response").put("status", status)
        .put("output", output);
    if (usage != null) {
      done.put("usage", usage);
    }
    out.toClient(event("response.done").put("response", done));
    return true;
  }

  /** The user's audio turn is committed; its transcription (if any) will name the same item. */
  void committed(Translator.Output out) {
    out.toClient(event("input_audio_buffer.committed").put("item_id", inputItem()));
  }

  /** Part of the transcript of what the user said. */
  void inputTranscript(String delta, Translator.Output out) {
    inputTranscript.append(delta);
    out.toClient(event("conversation.item.input_audio_transcription.delta").put("item_id", inputItem())
        .put("content_index", 0).put("delta", delta));
  }

  /** The user's transcript is complete, if one was started. */
  void inputTranscriptDone(Translator.Output out) {
    if (inputItemId == null) {
      return;
    }
    out.toClient(event("conversation.item.input_audio_transcription.completed").put("item_id", inputItemId)
        .put("content_index", 0).put("transcript", inputTranscript.toString()));
    inputItemId = null;
    inputTranscript.setLength(0);
  }

  /** The user started speaking over the model (barge-in). */
  void speechStarted(Translator.Output out) {
    out.toClient(event("input_audio_buffer.speech_started").put("audio_start_ms", 0).put("item_id", inputItem()));
  }

  private String inputItem() {
    if (inputItemId == null) {
      inputItemId = newId("item");
    }
    return inputItemId;
  }

  /** The open response, created (with its message item and content part) on the first output. */
  private Response open(boolean audio, Translator.Output out) {
    if (response == null) {
      response = new Response(newId("resp"), newId("item"), audio);
      out.toClient(event("response.created").put("response", new JsonObject().put("id", response.id)
          .put("object", "realtime.response").put("status", "in_progress").put("output", new JsonArray())));
      out.toClient(event("response.output_item.added").put("response_id", response.id).put("output_index", 0)
          .put("item", new JsonObject().put("id", response.itemId).put("type", "message").put("role", "assistant")
              .put("status", "in_progress").put("content", new JsonArray())));
      out.toClient(event("response.content_part.added").put("response_id", response.id)
          .put("item_id", response.itemId).put("output_index", 0).put("content_index", 0)
          .put("part", new JsonObject().put("type", partType(audio))));
    }
    return response;
  }

  private JsonObject doneEvent(Response r, String type) {
    return event(type).put("response_id", r.id).put("item_id", r.itemId).put("output_index", 0)
        .put("content_index", 0);
  }

  private JsonObject deltaEvent(String type) {
    return doneEvent(response, type);
  }

  private String partType(boolean audio) {
    if (beta) {
      return audio ? "audio" : "text";
    }
    return audio ? "output_audio" : "output_text";
  }

  private static final class Response {
    final String id;
    final String itemId;
    final boolean audio;
    final StringBuilder text = new StringBuilder();
    final StringBuilder transcript = new StringBuilder();
    final List<JsonObject> functionCalls = new ArrayList<>();

    Response(String id, String itemId, boolean audio) {
      this.id = id;
      this.itemId = itemId;
      this.audio = audio;
    }
  }
}
