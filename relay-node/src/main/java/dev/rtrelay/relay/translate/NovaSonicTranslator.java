package dev.rtrelay.relay.translate;

import dev.rtrelay.relay.translate.audio.G711;
import dev.rtrelay.relay.translate.audio.Pcm16Resampler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * OpenAI Realtime on the client side, Amazon Nova Sonic's event protocol (inside Bedrock's bidirectional stream) on
 * the provider side.
 *
 * <p>Nova takes its configuration in {@code sessionStart} and {@code promptStart}, first and once per stream: they
 * go out on the client's first {@code session.update} (or, if the client starts without one, with defaults), with
 * the instructions as a SYSTEM text content. The client's microphone audio becomes one open USER AUDIO content of
 * 16 kHz PCM (OpenAI's 24 kHz PCM16 is resampled; G.711 is decoded and upsampled), closed on
 * {@code input_audio_buffer.commit}; text items become interactive USER text contents, function outputs TOOL
 * contents. Nova answers each user turn by itself, so {@code response.create} sends nothing.
 *
 * <p>Nova's output becomes OpenAI's response lifecycle: 24 kHz audio passes through as audio deltas; the ASSISTANT
 * text of stage FINAL (what was actually spoken) becomes the transcript (or, for text-only sessions, the text); the
 * SPECULATIVE preview is not shown, since it can differ from what is said. USER text is the input transcription;
 * {@code toolUse} a function call; an interruption a cancelled response after {@code speech_started}. Usage is
 * Nova's running total turned into per-response amounts.
 *
 * <p>Nova ends a stream after about eight minutes. The translator renews it ahead of that, at the first quiet
 * moment after {@code renewAfterNanos}, and when a stream ends unexpectedly: the new stream gets the same
 * configuration, then the conversation so far as text history, so the client sees one continuous session.
 */
public final class NovaSonicTranslator implements Translator {
  /** OpenAI voices to Nova's English voices; other names pass through as Nova voice ids (e.g. "amy", "lupe"). */
  private static final Map<String, String> VOICES = Map.of("alloy", "matthew", "ash", "matthew", "ballad",
      "matthew", "cedar", "matthew", "echo", "matthew", "verse", "matthew", "coral", "tiffany", "marin", "tiffany",
      "sage", "tiffany", "shimmer", "tiffany");
  private static final String DEFAULT_VOICE = "matthew";
  private static final int DEFAULT_MAX_TOKENS = 1024;
  /** Renewals in a row without a completed response before the translator gives up. */
  private static final int MAX_RENEWALS_WITHOUT_PROGRESS = 3;
  /** History replayed into a renewed stream: the most recent messages, each and all bounded. */
  private static final int HISTORY_MESSAGES = 40;
  private static final int HISTORY_MESSAGE_CHARS = 2_000;
  private static final int HISTORY_TOTAL_CHARS = 16_000;

  private final String modelId;
  private final String sessionId;
  private final OpenAiEvents client;
  private final long renewAfterNanos;
  private final LongSupplier nanoClock;
  private final NovaUsage usage = new NovaUsage();
  private final Deque<String[]> history = new ArrayDeque<>();
  private final Map<String, String> contentKinds = new HashMap<>();
  private final StringBuilder spoken = new StringBuilder();
  private final StringBuilder heard = new StringBuilder();
  private final java.util.Set<String> pendingToolCalls = new java.util.HashSet<>();
  private final JsonObject session;
  private boolean started;
  private String promptName;
  private String audioContent;
  private Pcm16Resampler resampler;
  private SessionFields.InputAudio inputAudio = SessionFields.InputAudio.PCM16_24K;
  private boolean audioOutput = true;
  private Boolean nextAudio;
  private boolean responseAudio;
  private long streamStartedNanos;
  private boolean finishAfterFinalText;
  private boolean discarding;
  private boolean interruptedSignalled;
  private int renewalsWithoutProgress;
  /** Between asking for a new stream and getting it: client events wait here (the client is paused, so few). */
  private Deque<JsonObject> heldDuringRenewal;

  /**
   * @param modelId the Bedrock model id, e.g. {@code amazon.nova-2-sonic-v1:0}
   * @param beta the client asked for beta event names ({@code OpenAI-Beta: realtime=v1})
   * @param renewAfterNanos how old a stream may get before it is renewed at the next quiet moment
   */
  public NovaSonicTranslator(String modelId, String sessionId, boolean beta, long renewAfterNanos,
      LongSupplier nanoClock) {
    this.modelId = modelId;
    this.sessionId = sessionId;
    this.client = new OpenAiEvents(sessionId, beta);
    this.renewAfterNanos = renewAfterNanos;
    this.nanoClock = nanoClock;
    this.session = client.newSession(modelId);
  }

  @Override
  public void start(Output out) {
    out.toClient(client.event("session.created").put("session", session.copy()));
  }

  // ---- client -> Nova

  @Override
  public void fromClient(JsonObject e, Output out) {
    if (heldDuringRenewal != null) {
      // They belong to the next stream: its prompt and content names do not exist yet.
      heldDuringRenewal.add(e);
      return;
    }
    String type = e.getString("type", "");
    if (type.equals("session.update")) {
      sessionUpdate(e.getJsonObject("session", new JsonObject()), out);
      return;
    }
    if (!started) {
      startStream(out, false);
    }
    switch (type) {
      case "input_audio_buffer.append" -> streamAudio(e.getString("audio", ""), out);
      case "input_audio_buffer.commit" -> {
        closeAudio(out);
        client.committed(out);
      }
      case "input_audio_buffer.clear" -> out.toClient(client.event("input_audio_buffer.cleared"));
      case "conversation.item.create" -> itemCreate(e.getJsonObject("item", new JsonObject()), out);
      case "response.create" -> {
        // Nova answers each finished user turn by itself; there is nothing to ask for. Nova always speaks, so a
        // per-response choice of modalities is honoured here, for the next response.
        JsonObject r = e.getJsonObject("response", new JsonObject());
        if (r.containsKey("output_modalities") || r.containsKey("modalities")) {
          nextAudio = SessionFields.audioOutput(r);
        }
      }
      case "response.cancel" -> {
        if (finish("cancelled", out)) {
          // Nova has no cancel: the rest of its turn is dropped rather than shown as a new response.
          discarding = true;
        }
      }
      default -> out.toClient(client.error("unsupported_event", "Event '" + type + "' is not supported for bedrock/ "
          + "deployments"));
    }
  }

  private void sessionUpdate(JsonObject s, Output out) {
    if (started) {
      client.updateNotApplied("Nova Sonic", session, out);
      return;
    }
    session.mergeIn(s, true);
    session.put("id", sessionId).put("model", modelId);
    startStream(out, false);
    SessionFields.otherOutputFormat(session).ifPresent(format -> out.toClient(client.error(
        "unsupported_output_format", "Output audio format '" + format + "' is not available for bedrock/ "
            + "deployments; audio is sent as 24 kHz PCM16")));
    out.toClient(client.event("session.updated").put("session", session.copy()));
  }

  /** sessionStart, promptStart and the system prompt; on a renewed stream also the conversation so far. */
  private void startStream(Output out, boolean replayHistory) {
    started = true;
    streamStartedNanos = nanoClock.getAsLong();
    promptName = UUID.randomUUID().toString();
    audioOutput = SessionFields.audioOutput(session);
    inputAudio = SessionFields.inputAudio(session);
    JsonObject inference = new JsonObject()
        .put("maxTokens", SessionFields.maxOutputTokens(session).orElse(DEFAULT_MAX_TOKENS))
        .put("topP", 0.9)
        .put("temperature", session.getValue("temperature") instanceof Number t ? t : 0.7);
    out.toUpstream(nova("sessionStart", new JsonObject().put("inferenceConfiguration", inference)));
    String voice = SessionFields.voice(session).map(v -> VOICES.getOrDefault(v, v)).orElse(DEFAULT_VOICE);
    JsonObject prompt = new JsonObject().put("promptName", promptName)
        .put("textOutputConfiguration", new JsonObject().put("mediaType", "text/plain"))
        .put("audioOutputConfiguration", new JsonObject().put("mediaType", "audio/lpcm")
            .put("sampleRateHertz", 24000).put("sampleSizeBits", 16).put("channelCount", 1).put("voiceId", voice)
            .put("encoding", "base64").put("audioType", "SPEECH"));
    JsonArray tools = new JsonArray();
    for (JsonObject f : SessionFields.functionTools(session)) {
      Object parameters = f.getValue("parameters");
      tools.add(new JsonObject().put("toolSpec", new JsonObject().put("name", f.getString("name"))
          .put("description", f.getString("description")).put("inputSchema", new JsonObject()
              // Nova wants the JSON schema as a string.
              .put("json", parameters == null ? "{\"type\":\"object\"}" : encode(parameters)))));
    }
    if (!tools.isEmpty()) {
      prompt.put("toolUseOutputConfiguration", new JsonObject().put("mediaType", "application/json"))
          .put("toolConfiguration", new JsonObject().put("tools", tools));
    }
    out.toUpstream(nova("promptStart", prompt));
    String instructions = SessionFields.instructions(session);
    if (!instructions.isEmpty()) {
      textContent("SYSTEM", instructions, false, out);
    }
    if (replayHistory) {
      // Nova takes history once, right after the system prompt and before any audio.
      history.forEach(m -> textContent(m[0], m[1], false, out));
    }
  }

  private void streamAudio(String base64, Output out) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      out.toClient(client.error("invalid_audio", "input_audio_buffer.append: audio is not valid base64"));
      return;
    }
    if (audioContent == null) {
      audioContent = UUID.randomUUID().toString();
      out.toUpstream(nova("contentStart", content(audioContent).put("type", "AUDIO").put("interactive", true)
          .put("role", "USER").put("audioInputConfiguration", new JsonObject().put("mediaType", "audio/lpcm")
              .put("sampleRateHertz", 16000).put("sampleSizeBits", 16).put("channelCount", 1)
              .put("audioType", "SPEECH").put("encoding", "base64"))));
    }
    byte[] pcm16k = switch (inputAudio) {
      case G711_ULAW -> resampler(Pcm16Resampler::from8kTo16k).process(G711.ulawToPcm16(raw));
      case G711_ALAW -> resampler(Pcm16Resampler::from8kTo16k).process(G711.alawToPcm16(raw));
      case PCM16_24K -> resampler(Pcm16Resampler::from24kTo16k).process(raw);
    };
    if (pcm16k.length > 0) {
      out.toUpstream(nova("audioInput", content(audioContent).put("content",
          Base64.getEncoder().encodeToString(pcm16k))));
    }
  }

  private Pcm16Resampler resampler(java.util.function.Supplier<Pcm16Resampler> kind) {
    if (resampler == null) {
      resampler = kind.get();
    }
    return resampler;
  }

  private void closeAudio(Output out) {
    if (audioContent != null) {
      out.toUpstream(nova("contentEnd", content(audioContent)));
      audioContent = null;
    }
  }

  private void itemCreate(JsonObject item, Output out) {
    String id = item.getString("id", client.newId("item"));
    if ("function_call_output".equals(item.getString("type"))) {
      String contentName = UUID.randomUUID().toString();
      Object output = item.getValue("output", "");
      out.toUpstream(nova("contentStart", content(contentName).put("type", "TOOL").put("interactive", false)
          .put("role", "TOOL").put("toolResultInputConfiguration", new JsonObject()
              .put("toolUseId", item.getString("call_id", "")).put("type", "TEXT")
              .put("textInputConfiguration", new JsonObject().put("mediaType", "text/plain")))));
      out.toUpstream(nova("toolResult", content(contentName).put("content", output instanceof String s ? s
          : encode(output))));
      out.toUpstream(nova("contentEnd", content(contentName)));
      pendingToolCalls.remove(item.getString("call_id", ""));
    } else if ("assistant".equals(item.getString("role"))) {
      // Nova takes assistant text only as history, at the start of a stream: it is kept for the next one.
      remember("ASSISTANT", SessionFields.itemText(item));
    } else {
      String text = SessionFields.itemText(item);
      textContent("USER", text, true, out);
      remember("USER", text);
    }
    client.itemAdded(item.copy().put("id", id), out);
  }

  private void textContent(String role, String text, boolean interactive, Output out) {
    String contentName = UUID.randomUUID().toString();
    out.toUpstream(nova("contentStart", content(contentName).put("type", "TEXT").put("interactive", interactive)
        .put("role", role).put("textInputConfiguration", new JsonObject().put("mediaType", "text/plain"))));
    out.toUpstream(nova("textInput", content(contentName).put("content", text)));
    out.toUpstream(nova("contentEnd", content(contentName)));
  }

  private JsonObject content(String contentName) {
    return new JsonObject().put("promptName", promptName).put("contentName", contentName);
  }

  private static JsonObject nova(String name, JsonObject body) {
    return new JsonObject().put("event", new JsonObject().put(name, body));
  }

  private static String encode(Object json) {
    return json instanceof JsonObject o ? o.encode() : json instanceof JsonArray a ? a.encode()
        : io.vertx.core.json.Json.encode(json);
  }

  // ---- Nova -> client

  @Override
  public void fromUpstream(JsonObject m, Output out) {
    JsonObject event = m.getJsonObject("event");
    if (event == null || event.isEmpty()) {
      return;
    }
    String name = event.fieldNames().iterator().next();
    if (!(event.getValue(name) instanceof JsonObject body)) {
      return;
    }
    switch (name) {
      case "contentStart" -> contentStart(body, out);
      case "textOutput" -> textOutput(body, out);
      case "audioOutput" -> {
        if (!discarding && speaking() && body.getValue("content") instanceof String b64) {
          client.audio(b64, out);
        }
      }
      case "toolUse" -> toolUse(body, out);
      case "contentEnd" -> contentEnd(body, out);
      case "usageEvent" -> usage.record(body);
      case "completionEnd" -> {
        finish("completed", out);
        discarding = false;
      }
      default -> {
        // completionStart and anything newer carry nothing the client needs.
      }
    }
  }

  private void contentStart(JsonObject body, Output out) {
    String role = body.getString("role", "");
    String type = body.getString("type", "");
    String kind;
    if (role.equals("USER")) {
      kind = "user";
      // The user speaks again: whatever was being dropped from the last turn is over.
      discarding = false;
      end("completed", false, out);
    } else if (type.equals("TOOL")) {
      kind = "tool";
    } else if (type.equals("AUDIO")) {
      kind = "audio";
    } else if ("SPECULATIVE".equals(stage(body))) {
      kind = "speculative";
    } else {
      kind = "final";
    }
    if (finishAfterFinalText && !kind.equals("final")) {
      finish("completed", out);
    }
    contentKinds.put(body.getString("contentId", ""), kind);
  }

  private static String stage(JsonObject body) {
    if (body.getValue("additionalModelFields") instanceof String fields) {
      try {
        return new JsonObject(fields).getString("generationStage", "");
      } catch (RuntimeException notJson) {
        return "";
      }
    }
    return "";
  }

  private String kindOf(JsonObject body) {
    return contentKinds.getOrDefault(body.getString("contentId", ""),
        "USER".equals(body.getString("role")) ? "user" : "final");
  }

  private void textOutput(JsonObject body, Output out) {
    String text = body.getString("content", "");
    if (text.contains("\"interrupted\"") && text.trim().startsWith("{")) {
      interrupted(out);
      return;
    }
    switch (kindOf(body)) {
      case "user" -> {
        heard.append(text);
        client.inputTranscript(text, out);
      }
      case "final" -> {
        if (!discarding) {
          spoken.append(text);
          if (speaking()) {
            client.transcript(text, out);
          } else {
            client.text(text, out);
          }
        }
      }
      default -> {
        // SPECULATIVE: a preview that can differ from what is spoken.
      }
    }
  }

  /** Whether the response in flight (or the one about to start) goes to the client as audio. */
  private boolean speaking() {
    if (!client.responding()) {
      responseAudio = nextAudio != null ? nextAudio : audioOutput;
      nextAudio = null;
    }
    return responseAudio;
  }

  private void toolUse(JsonObject body, Output out) {
    if (discarding) {
      return;
    }
    Object input = body.getValue("content", body.getValue("input"));
    String arguments = input instanceof String s ? s : input == null ? "{}" : encode(input);
    String callId = body.getString("toolUseId", client.newId("call"));
    pendingToolCalls.add(callId);
    client.functionCall(callId, body.getString("toolName", ""), arguments, out);
  }

  private void contentEnd(JsonObject body, Output out) {
    String kind = contentKinds.remove(body.getString("contentId", ""));
    if (kind == null) {
      kind = kindOf(body);
    }
    String stopReason = body.getString("stopReason", "");
    if (stopReason.equals("INTERRUPTED")) {
      interrupted(out);
      return;
    }
    switch (kind) {
      case "user" -> {
        client.inputTranscriptDone(out);
        remember("USER", heard.toString());
        heard.setLength(0);
      }
      // Nova waits for the tool result: this response is over.
      case "tool" -> finish("completed", out);
      // The transcript of what was spoken follows the audio: the response ends with it.
      case "audio" -> finishAfterFinalText = finishAfterFinalText || stopReason.equals("END_TURN");
      case "final" -> {
        if (stopReason.equals("END_TURN") || finishAfterFinalText) {
          finish("completed", out);
        }
      }
      default -> {
        // A SPECULATIVE preview ended.
      }
    }
  }

  /** Barge-in: the client hears that the user spoke, and the response ends cancelled. */
  private void interrupted(Output out) {
    if (!interruptedSignalled && client.responding()) {
      interruptedSignalled = true;
      client.speechStarted(out);
      finish("cancelled", out);
      discarding = true;
    }
  }

  private boolean finish(String status, Output out) {
    return end(status, true, out);
  }

  /**
   * Ends the response in flight with the usage since the last one.
   *
   * @param quiet nobody is speaking: an old stream may be renewed now
   */
  private boolean end(String status, boolean quiet, Output out) {
    finishAfterFinalText = false;
    if (!client.responding()) {
      return false;
    }
    client.finish(status, usage.takeDelta(), out);
    interruptedSignalled = false;
    if (spoken.length() > 0) {
      remember("ASSISTANT", spoken.toString());
      spoken.setLength(0);
    }
    if (status.equals("completed")) {
      renewalsWithoutProgress = 0;
      // A new stream would not know a tool call still waiting for its result: renew only once none is.
      if (quiet && started && pendingToolCalls.isEmpty() && nanoClock.getAsLong() - streamStartedNanos >= renewAfterNanos) {
        renewNow(out);
      }
    }
    return true;
  }

  private void remember(String role, String text) {
    if (text.isBlank()) {
      return;
    }
    history.addLast(new String[] {role, text.length() > HISTORY_MESSAGE_CHARS
        ? text.substring(text.length() - HISTORY_MESSAGE_CHARS) : text});
    int chars = history.stream().mapToInt(h -> h[1].length()).sum();
    while (history.size() > HISTORY_MESSAGES || chars > HISTORY_TOTAL_CHARS) {
      chars -= history.removeFirst()[1].length();
    }
  }

  /** Ends this stream politely (audio content, prompt, session) and asks the session for a new one. */
  private void renewNow(Output out) {
    closeAudio(out);
    out.toUpstream(nova("promptEnd", new JsonObject().put("promptName", promptName)));
    out.toUpstream(nova("sessionEnd", new JsonObject()));
    started = false;
    heldDuringRenewal = new ArrayDeque<>();
    out.renewUpstream("stream age limit (" + renewAfterNanos / 1_000_000_000 + " s)");
  }

  @Override
  public AfterLoss upstreamLost(Short code, String reason, Output out) {
    finish("incomplete", out);
    // Refusals (invalid input, access denied, throttling) would only be refused again on a new stream.
    boolean renewable = code == null || code == 1001 || code == 1006 || code == 1011;
    if (renewable && renewalsWithoutProgress < MAX_RENEWALS_WITHOUT_PROGRESS) {
      renewalsWithoutProgress++;
      started = false;
      audioContent = null;
      heldDuringRenewal = new ArrayDeque<>();
      return AfterLoss.RENEW;
    }
    return AfterLoss.END;
  }

  @Override
  public JsonObject unbilledUsage() {
    return usage.takeDelta();
  }

  @Override
  public void upstreamRenewed(Output out) {
    usage.streamRenewed();
    contentKinds.clear();
    audioContent = null;
    resampler = null;
    startStream(out, true);
    Deque<JsonObject> held = heldDuringRenewal;
    heldDuringRenewal = null;
    if (held != null) {
      held.forEach(e -> fromClient(e, out));
    }
  }
}
