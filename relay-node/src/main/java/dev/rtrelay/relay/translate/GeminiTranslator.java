package dev.rtrelay.relay.translate;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI Realtime on the client side, Gemini Live ({@code BidiGenerateContent}) on the provider side.
 *
 * <p>Gemini takes its whole configuration in one {@code setup}, first and once: it is sent on the client's first
 * {@code session.update} (or, if the client starts talking without one, with defaults), and client messages wait
 * until {@code setupComplete}. A later {@code session.update} never sends a second setup (Gemini would close with
 * 1007): the client gets {@code session.updated} with the session as it stands and an {@code error} naming what could
 * not change. Provider output becomes OpenAI's response lifecycle with unique ids, in the event names the client chose
 * (GA, or beta with {@code OpenAI-Beta: realtime=v1}); usage goes into {@code response.done} modality by modality.
 *
 * <p>Every setup asks for session resumption. Gemini ends each connection after about ten minutes, announcing it with
 * {@code goAway}: the translator then asks the session for a fresh connection as soon as no response is in flight
 * (or when the old one closes) and resumes there with the latest handle and the same setup, holding client messages
 * meanwhile, so the client sees one continuous session.
 */
public final class GeminiTranslator implements Translator {
  /** OpenAI voices to Gemini's prebuilt voices; other names pass through as Gemini voice names. */
  private static final Map<String, String> VOICES = Map.of("alloy", "Zephyr", "ash", "Charon", "ballad", "Fenrir",
      "cedar", "Charon", "coral", "Aoede", "echo", "Puck", "marin", "Aoede", "sage", "Kore", "shimmer", "Leda",
      "verse", "Orus");
  private static final String AUDIO_MIME = "audio/pcm;rate=24000";
  /** Renewals in a row without a completed turn before the translator gives up (a provider that keeps dropping). */
  private static final int MAX_RENEWALS_WITHOUT_PROGRESS = 3;

  private final String model;
  private final boolean functionResponseIds;
  private final String sessionId;
  private final OpenAiEvents client;
  private final List<JsonObject> waiting = new ArrayList<>();
  private final Map<String, String> callNames = new HashMap<>();
  private final Map<String, String> callItems = new HashMap<>();
  private final java.util.Set<String> cancelledCalls = new java.util.HashSet<>();
  private String resumeHandle;
  private boolean renewAfterTurn;
  private boolean goAwaySeen;
  private boolean audioTurnEnded;
  /**
   * A function's output went to Gemini as a toolResponse and no other input came after it. Gemini continues by itself
   * after a toolResponse, so the client's response.create then asks for nothing more: a bare turnComplete would be
   * Gemini's way of requesting another reply, and the caller would hear two.
   */
  private boolean toolOutputPending;
  private boolean discardingTurn;
  private int renewalsWithoutProgress;
  private JsonObject session;
  private boolean setupSent;
  private boolean ready;
  private boolean updatePending;
  private boolean audioOutput = true;
  private boolean speakingForText;
  /** The model answers in speech: the client asked for audio, or the model can do nothing else. */
  private boolean modelSpeaks = true;
  /** Fixed with the setup, like everything Gemini is told about the session. */
  private SessionFields.InputAudio inputAudio = SessionFields.InputAudio.PCM16_24K;
  private boolean manualTurns;
  private boolean activityOpen;
  private JsonObject pendingUsage;

  /**
   * @param model the model as setup names it: {@code models/<m>} on AI Studio, the full resource name on Vertex AI
   * @param functionResponseIds whether tool responses carry the call id (AI Studio does; Vertex AI rejects it)
   * @param beta the client asked for beta event names ({@code OpenAI-Beta: realtime=v1})
   */
  public GeminiTranslator(String model, boolean functionResponseIds, String sessionId, boolean beta) {
    this.model = model;
    this.functionResponseIds = functionResponseIds;
    this.sessionId = sessionId;
    this.client = new OpenAiEvents(sessionId, beta);
    this.session = client.newSession(model);
  }

  @Override
  public void start(Output out) {
    out.toClient(client.event("session.created").put("session", session.copy()));
  }

  // ---- client -> Gemini

  @Override
  public void fromClient(JsonObject e, Output out) {
    String type = e.getString("type", "");
    if (type.equals("session.update")) {
      sessionUpdate(e.getJsonObject("session", new JsonObject()), out);
      return;
    }
    ensureSetup(out);
    switch (type) {
      case "input_audio_buffer.append" -> {
        if (manualTurns && !activityOpen) {
          activityOpen = true;
          send(new JsonObject().put("realtimeInput", new JsonObject().put("activityStart", new JsonObject())), out);
        }
        send(new JsonObject().put("realtimeInput", new JsonObject().put("audio", audio(e.getString("audio", "")))),
            out);
      }
      case "input_audio_buffer.commit" -> {
        if (manualTurns) {
          activityOpen = false;
          send(new JsonObject().put("realtimeInput", new JsonObject().put("activityEnd", new JsonObject())), out);
        } else {
          send(new JsonObject().put("realtimeInput", new JsonObject().put("audioStreamEnd", true)), out);
        }
        client.committed(out);
        // Gemini answers a finished audio turn by itself; a response.create for it must not start another turn.
        audioTurnEnded = true;
        toolOutputPending = false;
      }
      case "input_audio_buffer.clear" -> out.toClient(client.event("input_audio_buffer.cleared"));
      case "conversation.item.create" -> itemCreate(e.getJsonObject("item", new JsonObject()), out);
      case "response.create" -> {
        if (audioTurnEnded) {
          audioTurnEnded = false;
        } else if (toolOutputPending) {
          toolOutputPending = false;
        } else {
          send(new JsonObject().put("clientContent", new JsonObject().put("turns", new JsonArray())
              .put("turnComplete", true)), out);
        }
      }
      case "response.cancel" -> {
        if (finish("cancelled", out)) {
          // Gemini has no cancel: the rest of its turn is dropped rather than shown as a new response.
          discardingTurn = true;
        }
      }
      default -> out.toClient(client.error("unsupported_event", "Event '" + type + "' is not supported for gemini/ "
          + "deployments"));
    }
  }

  /** The hot path: 24 kHz PCM16 on a ready connection goes out without building a JSON tree. */
  @Override
  public void appendAudio(String base64, Output out) {
    if (!ready || manualTurns && !activityOpen || inputAudio != SessionFields.InputAudio.PCM16_24K) {
      Translator.super.appendAudio(base64, out);
      return;
    }
    out.toUpstreamEncoded(REALTIME_AUDIO_PREFIX + base64 + "\"}}}");
  }

  private static final String REALTIME_AUDIO_PREFIX = "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"" + AUDIO_MIME
      + "\",\"data\":\"";

  /**
   * Gemini takes PCM16 at any rate it is told: OpenAI's 24 kHz PCM16 passes as it is, G.711 is decoded to 8 kHz
   * PCM16, each labelled with its true rate.
   */
  private JsonObject audio(String base64) {
    if (inputAudio == SessionFields.InputAudio.PCM16_24K) {
      return new JsonObject().put("mimeType", AUDIO_MIME).put("data", base64);
    }
    byte[] encoded;
    try {
      encoded = java.util.Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException notBase64) {
      encoded = new byte[0];
    }
    byte[] pcm = inputAudio == SessionFields.InputAudio.G711_ULAW ? dev.rtrelay.relay.translate.audio.G711.ulawToPcm16(
        encoded) : dev.rtrelay.relay.translate.audio.G711.alawToPcm16(encoded);
    return new JsonObject().put("mimeType", "audio/pcm;rate=8000")
        .put("data", java.util.Base64.getEncoder().encodeToString(pcm));
  }

  private void sessionUpdate(JsonObject s, Output out) {
    if (setupSent) {
      client.updateNotApplied("Gemini Live", session, out);
      return;
    }
    session.mergeIn(s, true);
    session.put("id", sessionId);
    updatePending = true;
    sendSetup(out);
  }

  private void ensureSetup(Output out) {
    if (!setupSent) {
      sendSetup(out);
    }
  }

  private void sendSetup(Output out) {
    setupSent = true;
    ready = false;
    out.holdClient(true);
    audioOutput = SessionFields.audioOutput(session);
    // Native-audio models only speak (asking them for TEXT is refused with 1007): a text-only client then gets
    // the transcript of the speech as its text, and the audio is dropped.
    speakingForText = !audioOutput && model.contains("native-audio");
    modelSpeaks = audioOutput || speakingForText;
    inputAudio = SessionFields.inputAudio(session);
    JsonObject generation = new JsonObject().put("responseModalities",
        new JsonArray().add(modelSpeaks ? "AUDIO" : "TEXT"));
    if (session.getValue("temperature") instanceof Number t) {
      generation.put("temperature", t);
    }
    SessionFields.maxOutputTokens(session).ifPresent(m -> generation.put("maxOutputTokens", m));
    JsonObject audio = session.getJsonObject("audio", new JsonObject());
    String voice = SessionFields.voice(session).orElse(null);
    if (voice != null && audioOutput) {
      generation.put("speechConfig", new JsonObject().put("voiceConfig", new JsonObject().put("prebuiltVoiceConfig",
          new JsonObject().put("voiceName", VOICES.getOrDefault(voice, voice)))));
    }
    JsonObject setup = new JsonObject().put("model", model).put("generationConfig", generation)
        .put("inputAudioTranscription", new JsonObject())
        .put("sessionResumption", resumeHandle == null ? new JsonObject()
            : new JsonObject().put("handle", resumeHandle));
    // OpenAI truncates old context by default ("auto"); Gemini's sliding window does the same and lifts its
    // ~15 minute limit on audio sessions. A client that asked for no truncation gets none.
    if (!"disabled".equals(session.getValue("truncation"))) {
      setup.put("contextWindowCompression", new JsonObject().put("slidingWindow", new JsonObject()));
    }
    if (modelSpeaks) {
      setup.put("outputAudioTranscription", new JsonObject());
    }
    String instructions = SessionFields.instructions(session);
    if (!instructions.isEmpty()) {
      setup.put("systemInstruction", new JsonObject().put("parts", new JsonArray()
          .add(new JsonObject().put("text", instructions))));
    }
    Object turnDetection = session.containsKey("turn_detection") ? session.getValue("turn_detection")
        : audio.getJsonObject("input", new JsonObject()).getValue("turn_detection", "default");
    manualTurns = turnDetection == null;
    if (manualTurns) {
      setup.put("realtimeInputConfig", new JsonObject().put("automaticActivityDetection",
          new JsonObject().put("disabled", true)));
    } else if (turnDetection instanceof JsonObject td && "server_vad".equals(td.getString("type"))) {
      JsonObject vad = new JsonObject().put("disabled", false);
      if (td.getValue("silence_duration_ms") instanceof Number n) {
        vad.put("silenceDurationMs", n);
      }
      if (td.getValue("prefix_padding_ms") instanceof Number n) {
        vad.put("prefixPaddingMs", n);
      }
      setup.put("realtimeInputConfig", new JsonObject().put("automaticActivityDetection", vad));
    }
    JsonArray declarations = new JsonArray(new java.util.ArrayList<Object>(SessionFields.functionTools(session)));
    if (!declarations.isEmpty()) {
      setup.put("tools", new JsonArray().add(new JsonObject().put("functionDeclarations", declarations)));
    }
    out.toUpstream(new JsonObject().put("setup", setup));
  }

  private void itemCreate(JsonObject item, Output out) {
    audioTurnEnded = false;
    String id = item.getString("id", client.newId("item"));
    String itemType = item.getString("type", "message");
    if (itemType.equals("function_call_output")) {
      String callId = item.getString("call_id", "");
      if (cancelledCalls.remove(callId)) {
        out.toClient(client.error("tool_call_cancelled", "The model cancelled function call '" + callId + "' before its "
            + "output arrived (Gemini toolCallCancellation); the output was not sent"));
        return;
      }
      Object output = item.getValue("output", "");
      JsonObject result;
      try {
        result = output instanceof String s && s.trim().startsWith("{") ? new JsonObject(s)
            : new JsonObject().put("output", output);
      } catch (RuntimeException notJson) {
        result = new JsonObject().put("output", output);
      }
      JsonObject response = new JsonObject().put("name", callNames.getOrDefault(callId, "")).put("response", result);
      if (functionResponseIds) {
        response.put("id", callId);
      }
      send(new JsonObject().put("toolResponse", new JsonObject().put("functionResponses",
          new JsonArray().add(response))), out);
      toolOutputPending = true;
    } else {
      toolOutputPending = false;
      String text = SessionFields.itemText(item);
      String role = "assistant".equals(item.getString("role")) ? "model" : "user";
      send(new JsonObject().put("clientContent", new JsonObject().put("turns", new JsonArray().add(new JsonObject()
          .put("role", role).put("parts", new JsonArray().add(new JsonObject().put("text", text)))))
          .put("turnComplete", false)), out);
    }
    client.itemAdded(item.copy().put("id", id), out);
  }

  /** Gemini accepts nothing but the setup until it answers setupComplete. */
  private void send(JsonObject message, Output out) {
    if (ready) {
      out.toUpstream(message);
    } else {
      waiting.add(message);
    }
  }

  // ---- Gemini -> client

  @Override
  public void fromUpstream(JsonObject m, Output out) {
    if (m.getValue("usageMetadata") instanceof JsonObject usage) {
      pendingUsage = GeminiUsage.plus(pendingUsage, GeminiUsage.toOpenAi(usage, modelSpeaks));
    }
    if (m.getValue("sessionResumptionUpdate") instanceof JsonObject update
        && update.getBoolean("resumable", true) && update.getValue("newHandle") instanceof String handle
        && !handle.isEmpty()) {
      resumeHandle = handle;
    }
    if (m.containsKey("setupComplete")) {
      ready = true;
      waiting.forEach(out::toUpstream);
      waiting.clear();
      out.holdClient(false);
      if (updatePending) {
        updatePending = false;
        out.toClient(client.event("session.updated").put("session", session.copy()));
      }
    }
    if (m.getValue("serverContent") instanceof JsonObject content) {
      serverContent(content, out);
    }
    if (m.getValue("toolCall") instanceof JsonObject call) {
      toolCall(call, out);
    }
    if (m.getValue("toolCallCancellation") instanceof JsonObject cancellation) {
      toolCallCancellation(cancellation, out);
    }
    if (m.getValue("goAway") instanceof JsonObject goAway) {
      goAwaySeen = true;
      renewAfterTurn = true;
      if (!client.responding()) {
        renewNow("goAway, connection closes in " + goAway.getString("timeLeft", "?"), out);
      }
    }
  }

  @Override
  public AfterLoss upstreamLost(Short code, String reason, Output out) {
    renewAfterTurn = false;
    finish("incomplete", out);
    // Refusals (invalid setup, policy, unsupported data) would only be refused again on a new connection.
    boolean refusal = code != null && (code == 1003 || code == 1007 || code == 1008);
    if (!refusal && resumeHandle != null && renewalsWithoutProgress < MAX_RENEWALS_WITHOUT_PROGRESS) {
      renewalsWithoutProgress++;
      ready = false;
      out.holdClient(true);
      return AfterLoss.RENEW;
    }
    return goAwaySeen ? AfterLoss.ASK_CLIENT_TO_RECONNECT : AfterLoss.END;
  }

  @Override
  public JsonObject unbilledUsage() {
    JsonObject tail = pendingUsage;
    pendingUsage = null;
    return tail;
  }

  @Override
  public void upstreamRenewed(Output out) {
    goAwaySeen = false;
    // A manual turn open on the old connection is not open on the new one.
    activityOpen = false;
    // The same configuration plus the latest handle: Gemini restores the conversation from it.
    sendSetup(out);
  }

  /** Asks for a fresh connection now; client messages wait for the resumed setup. */
  private void renewNow(String why, Output out) {
    if (resumeHandle == null) {
      // Nothing to resume with: when the connection ends, the client is asked to reconnect instead.
      return;
    }
    renewAfterTurn = false;
    ready = false;
    out.holdClient(true);
    out.renewUpstream(why);
  }

  /**
   * OpenAI has no event for a call the model takes back: the function_call item is deleted from the conversation
   * ({@code conversation.item.deleted}), and an output the client still sends for it is not passed on.
   */
  private void toolCallCancellation(JsonObject cancellation, Output out) {
    for (Object id : cancellation.getJsonArray("ids", new JsonArray())) {
      if (id instanceof String callId && callItems.containsKey(callId)) {
        cancelledCalls.add(callId);
        out.toClient(client.event("conversation.item.deleted").put("item_id", callItems.remove(callId)));
      }
    }
  }

  private void serverContent(JsonObject c, Output out) {
    if (c.getValue("inputTranscription") instanceof JsonObject t && t.getValue("text") instanceof String text) {
      client.inputTranscript(text, out);
    }
    if (c.getBoolean("interrupted", false)) {
      client.speechStarted(out);
      finish("cancelled", out);
    }
    if (c.getValue("modelTurn") instanceof JsonObject turn && !discardingTurn) {
      for (Object p : turn.getJsonArray("parts", new JsonArray())) {
        if (!(p instanceof JsonObject part) || part.getBoolean("thought", false)) {
          continue;
        }
        if (part.getValue("text") instanceof String text) {
          client.text(text, out);
        } else if (part.getValue("inlineData") instanceof JsonObject data
            && data.getValue("data") instanceof String b64 && !speakingForText) {
          client.audio(b64, out);
        }
      }
    }
    if (c.getValue("outputTranscription") instanceof JsonObject t && t.getValue("text") instanceof String text
        && !discardingTurn) {
      if (speakingForText) {
        client.text(text, out);
      } else {
        client.transcript(text, out);
      }
    }
    if (c.getBoolean("turnComplete", false) || c.getBoolean("interrupted", false)) {
      discardingTurn = false;
    }
    if (c.getBoolean("turnComplete", false)) {
      renewalsWithoutProgress = 0;
      client.inputTranscriptDone(out);
      finish("completed", out);
    }
  }

  private void toolCall(JsonObject call, Output out) {
    for (Object o : call.getJsonArray("functionCalls", new JsonArray())) {
      if (!(o instanceof JsonObject f)) {
        continue;
      }
      String callId = f.getString("id", client.newId("call"));
      callNames.put(callId, f.getString("name", ""));
      JsonObject item = client.functionCall(callId, f.getString("name", ""),
          f.getJsonObject("args", new JsonObject()).encode(), out);
      callItems.put(callId, item.getString("id"));
    }
    // Gemini waits for the toolResponse: this response is over.
    finish("completed", out);
  }

  /** Ends the response in flight, if any, with the usage gathered since the last one. */
  private boolean finish(String status, Output out) {
    if (!client.finish(status, pendingUsage, out)) {
      return false;
    }
    pendingUsage = null;
    if (renewAfterTurn) {
      renewNow("goAway, at the end of a response", out);
    }
    return true;
  }
}
