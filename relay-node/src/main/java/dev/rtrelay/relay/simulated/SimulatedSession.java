package dev.rtrelay.relay.simulated;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One simulated Realtime conversation on one WebSocket. Every client event is answered synchronously on the
 * socket's event loop, so responses stream out complete and in order without timers; a response is therefore
 * never "in progress" between two client events.
 */
final class SimulatedSession {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedSession.class);
  private static final String GREETING = "Hello from the simulated model. You said: ";
  private static final int MAX_LOGGED_TYPE_CHARS = 64;
  private static final short CLOSE_MESSAGE_TOO_BIG = 1009;

  private final ServerWebSocket ws;
  private final RealtimeEvents events;
  private final ProtocolFlavour flavour;
  private final IdSource ids;
  private final JsonObject session;
  private final String conversationId;
  private final UsageMeter usage = new UsageMeter();

  private long bufferedAudioBytes;
  private String lastUserInput;
  private String lastItemId;

  SimulatedSession(ServerWebSocket ws, ProtocolFlavour flavour, String model, IdSource ids) {
    this.ws = ws;
    this.flavour = flavour;
    this.ids = ids;
    this.events = new RealtimeEvents(flavour, ids);
    this.session = events.initialSession(model);
    this.conversationId = ids.objectId("conv");
  }

  void start() {
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(this::onBinary);
    ws.exceptionHandler(this::onException);
    ws.closeHandler(v -> LOG.debug("Simulated session {} closed (code {})",
        session.getString("id"), ws.closeStatusCode()));
    send(events.event("session.created").put("session", session.copy()));
  }

  private void onBinary(Buffer ignored) {
    send(events.error("binary_not_supported",
        "Binary frames are not supported; send JSON events as text frames.", null));
  }

  /**
   * Vert.x drops a fragmented message that exceeds the size limit, reports it here and keeps the socket
   * open; closing with 1009 tells the client instead of letting its event vanish.
   */
  private void onException(Throwable failure) {
    if (failure instanceof IllegalStateException && !ws.isClosed()) {
      LOG.debug("Simulated session {}: oversized message, closing", session.getString("id"));
      ws.close(CLOSE_MESSAGE_TOO_BIG, "message too big");
    } else {
      LOG.debug("Simulated session {}: socket error: {}", session.getString("id"), failure.toString());
    }
  }

  private void onText(String text) {
    JsonObject event;
    try {
      event = new JsonObject(text);
    } catch (DecodeException e) {
      send(events.error("invalid_json", "The event is not a valid JSON object.", null));
      return;
    }
    String clientEventId = stringOrNull(event, "event_id");
    String type = stringOrNull(event, "type");
    try {
      dispatch(type == null ? "" : type, event, clientEventId);
    } catch (ClassCastException | IllegalArgumentException e) {
      // A field of the wrong JSON type (or bad base64) is the client's mistake, not a reason to drop it.
      String what = "Invalid value in '" + truncate(String.valueOf(type)) + "': " + e.getMessage();
      send(events.error("invalid_value", what, clientEventId));
    }
    applyBackpressure();
  }

  private void dispatch(String type, JsonObject event, String clientEventId) {
    switch (type) {
      case "session.update" -> updateSession(event, clientEventId);
      case "conversation.item.create" -> createItem(event, clientEventId);
      case "input_audio_buffer.append" -> appendAudio(event, clientEventId);
      case "input_audio_buffer.commit" -> commitAudio(clientEventId);
      case "input_audio_buffer.clear" -> {
        bufferedAudioBytes = 0;
        send(events.event("input_audio_buffer.cleared"));
      }
      case "response.create" -> createResponse(event, clientEventId);
      case "response.cancel" -> send(events.error("response_cancel_not_active",
          "Cancellation failed: no active response found.", clientEventId));
      default -> {
        LOG.debug("Simulated session {}: unknown event type '{}'", session.getString("id"), truncate(type));
        String message = type.isEmpty() ? "The event has no 'type'." : "Unknown event type '" + truncate(type) + "'.";
        send(events.error("unknown_event", message, clientEventId));
      }
    }
  }

  private void updateSession(JsonObject event, String clientEventId) {
    JsonObject update = event.getJsonObject("session");
    if (update == null) {
      send(events.error("missing_required_parameter", "Missing required parameter: 'session'.", clientEventId));
      return;
    }
    JsonObject merged = update.copy();
    // The identity of a session is the server's to assign.
    merged.remove("id");
    merged.remove("object");
    session.mergeIn(merged, true);
    send(events.event("session.updated").put("session", session.copy()));
  }

  private void createItem(JsonObject event, String clientEventId) {
    JsonObject requested = event.getJsonObject("item");
    if (requested == null) {
      send(events.error("missing_required_parameter", "Missing required parameter: 'item'.", clientEventId));
      return;
    }
    JsonObject item = requested.copy();
    if (stringOrNull(item, "id") == null) {
      item.put("id", ids.objectId("item"));
    }
    item.put("object", "realtime.item").put("status", "completed");
    if (!item.containsKey("type")) {
      item.put("type", "message");
    }
    recordContent(item);
    String previous = event.containsKey("previous_item_id") ? stringOrNull(event, "previous_item_id") : lastItemId;
    lastItemId = item.getString("id");
    for (JsonObject stored : events.itemStored(item, previous)) {
      send(stored);
    }
  }

  /** Feeds the item into usage and, for user messages, into what the next reply echoes back. */
  private void recordContent(JsonObject item) {
    boolean fromUser = "user".equals(stringOrNull(item, "role"));
    String output = stringOrNull(item, "output");
    if (output != null) {
      usage.addText(output);
    }
    JsonArray content = item.getJsonArray("content");
    if (content == null) {
      return;
    }
    for (int i = 0; i < content.size(); i++) {
      if (!(content.getValue(i) instanceof JsonObject part)) {
        continue;
      }
      String text = stringOrNull(part, "text");
      if (text != null) {
        usage.addText(text);
        if (fromUser && "input_text".equals(stringOrNull(part, "type"))) {
          lastUserInput = text;
        }
      }
      String audio = stringOrNull(part, "audio");
      if (audio != null) {
        long bytes = Base64.getDecoder().decode(audio).length;
        usage.addAudio(bytes);
        if (fromUser) {
          lastUserInput = "audio (" + bytes + " bytes)";
        }
      }
    }
  }

  private void appendAudio(JsonObject event, String clientEventId) {
    String audio = stringOrNull(event, "audio");
    if (audio == null) {
      send(events.error("missing_required_parameter", "Missing required parameter: 'audio'.", clientEventId));
      return;
    }
    bufferedAudioBytes += Base64.getDecoder().decode(audio).length;
  }

  /** Like the real service, refuses to turn an empty buffer into a user turn. */
  private void commitAudio(String clientEventId) {
    if (bufferedAudioBytes == 0) {
      send(events.error("input_audio_buffer_commit_empty",
          "Error committing input audio buffer: the buffer is empty.", clientEventId));
      return;
    }
    long bytes = bufferedAudioBytes;
    bufferedAudioBytes = 0;
    String itemId = ids.objectId("item");
    String previous = lastItemId;
    lastItemId = itemId;
    usage.addAudio(bytes);
    lastUserInput = "audio (" + bytes + " bytes)";
    send(events.event("input_audio_buffer.committed").put("previous_item_id", previous).put("item_id", itemId));
    for (JsonObject stored : events.itemStored(events.userAudioItem(itemId), previous)) {
      send(stored);
    }
  }

  private void createResponse(JsonObject event, String clientEventId) {
    // An explicit "response": null means the same as leaving it out.
    JsonObject params = event.getJsonObject("response");
    if (params == null) {
      params = new JsonObject();
    }
    JsonArray modalities = firstArray(params, flavour.modalitiesKey, flavour.otherModalitiesKey());
    if (modalities == null) {
      modalities = firstArray(session, flavour.modalitiesKey, flavour.otherModalitiesKey());
    }
    if (modalities == null) {
      modalities = new JsonArray().add("audio");
    }
    boolean audio = modalities.contains("audio");
    if (!audio && !modalities.contains("text")) {
      send(events.error("invalid_value", "Output modalities must include 'text' or 'audio'.", clientEventId));
      return;
    }

    String responseId = ids.objectId("resp");
    String itemId = ids.objectId("item");
    String reply = GREETING + (lastUserInput == null ? "nothing yet." : lastUserInput);
    lastItemId = itemId;

    send(events.event("response.created").put("response",
        events.response(responseId, conversationId, "in_progress", modalities, new JsonArray(), null)));
    send(events.event("response.output_item.added")
        .put("response_id", responseId)
        .put("output_index", 0)
        .put("item", events.assistantItem(itemId, "in_progress", new JsonArray())));
    send(events.contentEvent("response.content_part.added", responseId, itemId).put("part", events.part(audio, "")));

    long audioBytes = audio ? streamAudio(responseId, itemId, reply) : streamText(responseId, itemId, reply);

    JsonObject finishedPart = events.part(audio, reply);
    send(events.contentEvent("response.content_part.done", responseId, itemId).put("part", finishedPart.copy()));
    JsonObject item = events.assistantItem(itemId, "completed", new JsonArray().add(finishedPart));
    send(events.event("response.output_item.done")
        .put("response_id", responseId)
        .put("output_index", 0)
        .put("item", item.copy()));
    JsonObject billed = usage.bill(stringOrNull(session, "instructions"), reply, audioBytes);
    send(events.event("response.done").put("response",
        events.response(responseId, conversationId, "completed", modalities, new JsonArray().add(item), billed)));
  }

  private long streamText(String responseId, String itemId, String reply) {
    for (String piece : wordPieces(reply)) {
      send(events.contentEvent(flavour.textDelta, responseId, itemId).put("delta", piece));
    }
    send(events.contentEvent(flavour.textDone, responseId, itemId).put("text", reply));
    return 0;
  }

  /** Transcript pieces ride along with the audio chunks, the way a speaking model streams both. */
  private long streamAudio(String responseId, String itemId, String reply) {
    List<String> chunks = SyntheticAudio.base64Chunks();
    List<String> transcript = group(wordPieces(reply), chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      send(events.contentEvent(flavour.audioDelta, responseId, itemId).put("delta", chunks.get(i)));
      if (i < transcript.size()) {
        send(events.contentEvent(flavour.transcriptDelta, responseId, itemId).put("delta", transcript.get(i)));
      }
    }
    send(events.contentEvent(flavour.audioDone, responseId, itemId));
    send(events.contentEvent(flavour.transcriptDone, responseId, itemId).put("transcript", reply));
    return SyntheticAudio.TOTAL_BYTES;
  }

  /** Words with their trailing whitespace, so the pieces concatenate back to the exact text. */
  static List<String> wordPieces(String text) {
    List<String> pieces = new ArrayList<>();
    for (String piece : text.split("(?<=\\s)(?=\\S)")) {
      if (!piece.isEmpty()) {
        pieces.add(piece);
      }
    }
    return pieces;
  }

  /**
   * Splits the pieces into at most {@code groups} consecutive runs of near-equal length, so every audio chunk
   * gets some transcript once there are enough words.
   */
  static List<String> group(List<String> pieces, int groups) {
    int count = Math.min(groups, pieces.size());
    List<String> grouped = new ArrayList<>(count);
    for (int g = 0; g < count; g++) {
      int from = g * pieces.size() / count;
      int to = (g + 1) * pieces.size() / count;
      grouped.add(String.join("", pieces.subList(from, to)));
    }
    return grouped;
  }

  /**
   * A client that fires events without reading the replies would otherwise grow the write queue without
   * bound; stop reading from it until its side catches up.
   */
  private void applyBackpressure() {
    if (!ws.isClosed() && ws.writeQueueFull()) {
      ws.pause();
      ws.drainHandler(v -> {
        if (!ws.isClosed()) {
          ws.resume();
        }
      });
    }
  }

  private void send(JsonObject event) {
    if (ws.isClosed()) {
      return;
    }
    ws.writeTextMessage(event.encode()).onFailure(e ->
        LOG.debug("Simulated session {}: write failed: {}", session.getString("id"), e.toString()));
  }

  private static JsonArray firstArray(JsonObject source, String... keys) {
    for (String key : keys) {
      if (source.getValue(key) instanceof JsonArray array) {
        return array;
      }
    }
    return null;
  }

  private static String stringOrNull(JsonObject source, String key) {
    return source.getValue(key) instanceof String s ? s : null;
  }

  /** Event types are client-controlled; keep them from bloating logs and error events. */
  private static String truncate(String value) {
    return value.length() <= MAX_LOGGED_TYPE_CHARS ? value : value.substring(0, MAX_LOGGED_TYPE_CHARS) + "…";
  }
}
