package dev.rtrelay.relay.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.ClientEvents;
import dev.rtrelay.relay.support.FakeGemini;
import dev.rtrelay.relay.support.PublishedRecords;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A client speaking OpenAI Realtime to a gemini/ deployment, against a fake Gemini Live server. */
@ExtendWith(VertxExtension.class)
class GeminiTranslationTest {
  private static final String GEMINI_KEY = "gm-secret-key-5a1f";
  private FakeGemini gemini;
  private RelayFixture relay;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    gemini = FakeGemini.start(vertx).await(5, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, """
        model_list:
          - model_name: gemini-live
            litellm_params:
              model: gemini/gemini-live-test
              api_key: %s
              api_base: %s
        general_settings:
          master_key: %s
        """.formatted(GEMINI_KEY, gemini.baseUrl(), RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
  }

  private RecordingClient open(boolean beta) throws Exception {
    var options = relay.options("gemini-live").addHeader("Authorization", "Bearer " + RelayFixture.MASTER_KEY);
    if (beta) {
      options.addHeader("OpenAI-Beta", "realtime=v1");
    }
    return relay.record(options).await(10, TimeUnit.SECONDS);
  }

  @Test
  void textTurnBecomesOpenAiResponseLifecycleWithUsageAndOneSetup() throws Exception {
    RecordingClient client = open(false);
    assertEquals("session.created", client.next().json().getString("type"));
    client.socket().writeTextMessage(new JsonObject().put("type", "session.update").put("session", new JsonObject()
        .put("type", "realtime").put("instructions", "Be brief")
        .put("output_modalities", new JsonArray().add("text"))).encode());
    assertEquals("Be brief", client.nextEvent("session.updated").getJsonObject("session").getString("instructions"));
    client.socket().writeTextMessage(ClientEvents.userText("hello"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    List<JsonObject> events = client.until("response.done");
    assertEquals(List.of("conversation.item.added", "response.created", "response.output_item.added",
        "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.done"),
        RecordingClient.types(events));
    assertEquals("Hello there", events.get(6).getString("text"));
    JsonObject response = events.get(9).getJsonObject("response");
    assertEquals("completed", response.getString("status"));
    JsonObject usage = response.getJsonObject("usage");
    assertEquals(12, usage.getInteger("input_tokens"));
    assertEquals(5, usage.getInteger("output_tokens"));
    assertEquals(5, usage.getJsonObject("output_token_details").getInteger("text_tokens"));
    assertEquals(events.get(1).getJsonObject("response").getString("id"), response.getString("id"));

    JsonObject setup = gemini.received("setup").get(0).getJsonObject("setup");
    assertEquals("models/gemini-live-test", setup.getString("model"));
    assertEquals(new JsonArray().add("TEXT"),
        setup.getJsonObject("generationConfig").getJsonArray("responseModalities"));
    assertEquals("Be brief", setup.getJsonObject("systemInstruction").getJsonArray("parts").getJsonObject(0)
        .getString("text"));
    JsonObject turn = gemini.received("clientContent").get(0).getJsonObject("clientContent");
    assertEquals("hello", turn.getJsonArray("turns").getJsonObject(0).getJsonArray("parts").getJsonObject(0)
        .getString("text"));
    FakeGemini.Handshake handshake = gemini.handshakes().get(0);
    assertEquals(GEMINI_KEY, handshake.headers().get("x-goog-api-key"), "the key travels in a header");
    assertFalse(handshake.uri().contains(GEMINI_KEY), "never in the URL");
    assertTrue(handshake.uri().endsWith("GenerativeService.BidiGenerateContent"), handshake.uri());

    // A later session.update must not become a second setup (Gemini would close with 1007).
    client.socket().writeTextMessage("{\"type\":\"session.update\",\"session\":{\"instructions\":\"Be long\"}}");
    assertEquals("session_update_not_applied", client.nextEvent("error").getJsonObject("error").getString("code"));
    assertEquals("Be brief", client.nextEvent("session.updated").getJsonObject("session").getString("instructions"));
    assertEquals(1, gemini.received("setup").size());
  }

  @Test
  void audioTurnWithBetaNamesTranscriptsAndStandaloneUsage() throws Exception {
    RecordingClient client = open(true);
    client.nextEvent("session.created");
    client.socket().writeTextMessage(new JsonObject().put("type", "session.update").put("session", new JsonObject()
        .put("modalities", new JsonArray().add("audio").add("text")).put("voice", "alloy")
        .put("turn_detection", new JsonObject().put("type", "server_vad").put("silence_duration_ms", 500)))
        .encode());
    client.nextEvent("session.updated");
    byte[] pcm = new byte[960];
    for (int i = 0; i < pcm.length; i++) {
      pcm[i] = (byte) i;
    }
    String chunk = Base64.getEncoder().encodeToString(pcm);
    for (int i = 0; i < 2; i++) {
      client.socket().writeTextMessage(new JsonObject().put("type", "input_audio_buffer.append")
          .put("audio", chunk).encode());
    }
    client.socket().writeTextMessage("{\"type\":\"input_audio_buffer.commit\"}");
    List<JsonObject> events = client.until("response.done");
    List<String> types = RecordingClient.types(events);
    assertTrue(types.contains("conversation.item.input_audio_transcription.completed"), types.toString());
    assertEquals("hi gemini", events.get(types.indexOf("conversation.item.input_audio_transcription.completed"))
        .getString("transcript"));
    JsonObject audio = events.get(types.indexOf("response.audio.delta"));
    byte[] both = new byte[pcm.length * 2];
    System.arraycopy(pcm, 0, both, 0, pcm.length);
    System.arraycopy(pcm, 0, both, pcm.length, pcm.length);
    assertEquals(Base64.getEncoder().encodeToString(both), audio.getString("delta"), "24 kHz PCM passes unchanged");
    assertEquals("an answer", events.get(types.indexOf("response.audio_transcript.done")).getString("transcript"));
    JsonObject usage = events.get(types.size() - 1).getJsonObject("response").getJsonObject("usage");
    assertEquals(32, usage.getJsonObject("input_token_details").getInteger("audio_tokens"));
    assertEquals(8, usage.getJsonObject("input_token_details").getInteger("text_tokens"));
    assertEquals(30, usage.getJsonObject("output_token_details").getInteger("audio_tokens"),
        "audio output is billed as audio, not text");

    JsonObject setup = gemini.received("setup").get(0).getJsonObject("setup");
    assertEquals("Zephyr", setup.getJsonObject("generationConfig").getJsonObject("speechConfig")
        .getJsonObject("voiceConfig").getJsonObject("prebuiltVoiceConfig").getString("voiceName"));
    assertEquals(500, setup.getJsonObject("realtimeInputConfig").getJsonObject("automaticActivityDetection")
        .getInteger("silenceDurationMs"));
    JsonObject sent = gemini.received("realtimeInput").get(0).getJsonObject("realtimeInput").getJsonObject("audio");
    assertEquals("audio/pcm;rate=24000", sent.getString("mimeType"), "the true sample rate is labelled");
    assertEquals(chunk, sent.getString("data"));

    // Timed like a relayed session: the figures are in the metrics.
    var metrics = relay.scrape();
    assertEquals(1, metrics.value("rtrelay_time_to_first_audio_seconds_count", "model", "gemini-live"));
    assertEquals(1, metrics.value("rtrelay_time_to_first_text_seconds_count", "model", "gemini-live"));
    assertEquals(1, metrics.value("rtrelay_response_duration_seconds_count", "model", "gemini-live"));
  }

  private RelayFixture guardedRelay(Vertx vertx, String guardrails) throws Exception {
    return RelayFixture.start(vertx, """
        model_list:
          - model_name: gemini-live
            litellm_params: {model: gemini/gemini-live-test, api_key: k, api_base: "%s"}
        guardrails:
        %s
        general_settings:
          master_key: %s
        """.formatted(gemini.baseUrl(), guardrails.indent(2), RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
  }

  @Test
  void preCallGuardrailsCheckClientEventsBeforeTheyAreTranslated(Vertx vertx) throws Exception {
    RelayFixture guarded = guardedRelay(vertx, """
        - guardrail_name: words
          litellm_params: {guardrail: litellm_content_filter, mode: pre_call, default_on: true,
            blocked_words: [{keyword: secret, action: BLOCK}]}""");
    try {
      RecordingClient client = guarded.record("gemini-live").await(10, TimeUnit.SECONDS);
      client.nextEvent("session.created");
      client.socket().writeTextMessage(ClientEvents.userText("hello"));
      client.socket().writeTextMessage("{\"type\":\"response.create\"}");
      client.nextEvent("response.done");
      client.socket().writeTextMessage(ClientEvents.userText("tell me the secret"));
      JsonObject error = client.nextEvent("error");
      assertEquals("guardrail_error", error.getJsonObject("error").getString("type"));
      assertEquals((short) 1011, client.awaitClose().code());
      assertFalse(gemini.received("clientContent").toString().contains("secret"), "the blocked text never left");
    } finally {
      guarded.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void postCallGuardrailsCheckTheTranslatedOutput(Vertx vertx) throws Exception {
    RelayFixture guarded = guardedRelay(vertx, """
        - guardrail_name: no-greetings
          litellm_params: {guardrail: litellm_content_filter, mode: post_call, default_on: true,
            blocked_words: [{keyword: hello there, action: BLOCK}]}""");
    try {
      RecordingClient client = guarded.record("gemini-live").await(10, TimeUnit.SECONDS);
      client.nextEvent("session.created");
      client.socket().writeTextMessage(ClientEvents.userText("greet me"));
      client.socket().writeTextMessage("{\"type\":\"response.create\"}");
      JsonObject error = client.nextEvent("error");
      assertEquals("guardrail_error", error.getJsonObject("error").getString("type"));
      assertEquals((short) 1011, client.awaitClose().code());
    } finally {
      guarded.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void guardrailsThatHoldResponsesAreRefusedRatherThanRunUnguarded(Vertx vertx) throws Exception {
    RelayFixture guarded = guardedRelay(vertx, """
        - guardrail_name: strict
          litellm_params: {guardrail: litellm_content_filter, mode: during_call, default_on: true,
            hold_response_until_checked: true, blocked_words: [{keyword: secret, action: BLOCK}]}""");
    try {
      RelayFixture.Rejection refused = guarded.expectRejection(guarded.options("gemini-live")
          .addHeader("Authorization", "Bearer " + RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
      assertEquals(501, refused.status());
      assertTrue(refused.message().contains("hold_response_until_checked"), refused.message());
    } finally {
      guarded.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void goAwayRenewsTheConnectionWithTheLatestHandleAndTheClientNoticesNothing() throws Exception {
    RecordingClient client = open(false);
    String sessionId = client.nextEvent("session.created").getJsonObject("session").getString("id");
    client.socket().writeTextMessage(ClientEvents.userText("hello"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    client.nextEvent("response.done");
    client.socket().writeTextMessage(ClientEvents.userText("please go away"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    // Audio sent while the connection is being renewed is held, then delivered: none of it is lost.
    byte[] pcm = new byte[4800];
    int chunks = 25;
    for (int i = 0; i < chunks; i++) {
      client.socket().writeTextMessage(new JsonObject().put("type", "input_audio_buffer.append")
          .put("audio", Base64.getEncoder().encodeToString(pcm)).encode());
    }
    client.socket().writeTextMessage("{\"type\":\"input_audio_buffer.commit\"}");
    // The echo may come from either connection: one still answering when the renewal began is read to its end.
    List<JsonObject> events = client.until("response.done");
    assertFalse(RecordingClient.types(events).contains("session.created"), "no second session: "
        + RecordingClient.types(events));
    assertFalse(RecordingClient.types(events).contains("error"), RecordingClient.types(events).toString());
    RecordingClient.await(() -> gemini.received("setup").size() == 2 && !gemini.closeCodes().isEmpty(),
        "a resuming setup and the old connection's close");
    assertEquals(2, gemini.handshakes().size(), "one renewal");
    List<JsonObject> setups = gemini.received("setup");
    assertEquals(new JsonObject(), setups.get(0).getJsonObject("setup").getJsonObject("sessionResumption"));
    String lastHandleBefore = gemini.handles().stream().filter(h -> h.startsWith("handle-1-"))
        .reduce((a, b) -> b).orElseThrow();
    assertEquals(lastHandleBefore, setups.get(1).getJsonObject("setup").getJsonObject("sessionResumption")
        .getString("handle"), "resumed with the latest handle of the first connection");
    assertEquals(setups.get(0).getJsonObject("setup").getJsonObject("generationConfig"),
        setups.get(1).getJsonObject("setup").getJsonObject("generationConfig"), "same configuration");
    assertEquals(List.of((short) 1000), gemini.closeCodes(), "the old connection was closed normally");
    assertEquals((long) pcm.length * chunks, gemini.audioBytes(), "every audio byte arrived");
    client.socket().writeTextMessage(ClientEvents.userText("hello again"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    assertEquals("completed", client.nextEvent("response.done").getJsonObject("response").getString("status"));
    assertFalse(client.socket().isClosed());
    assertTrue(sessionId.startsWith("rs_"), sessionId);
  }

  @Test
  void aRenewalIsRecordedInTheSessionEventsWithoutTheHandle(Vertx vertx) throws Exception {
    PublishedRecords published = PublishedRecords.listen(vertx).await(5, TimeUnit.SECONDS);
    RelayFixture publishing = RelayFixture.startPublishing(vertx, """
        model_list:
          - model_name: gemini-live
            litellm_params: {model: gemini/gemini-live-test, api_key: k, api_base: "%s"}
        litellm_settings:
          logged_real_time_event_types: "*"
        general_settings:
          master_key: %s
        """.formatted(gemini.baseUrl(), RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
    try {
      RecordingClient client = publishing.record("gemini-live").await(10, TimeUnit.SECONDS);
      client.nextEvent("session.created");
      client.socket().writeTextMessage(ClientEvents.userText("please go away"));
      client.socket().writeTextMessage("{\"type\":\"response.create\"}");
      RecordingClient.await(() -> gemini.received("setup").size() == 2, "a resuming setup");
      client.socket().writeTextMessage(ClientEvents.userText("hello"));
      client.socket().writeTextMessage("{\"type\":\"response.create\"}");
      client.nextEvent("response.done");
      client.socket().close();
      published.awaitSessionClosed();
    } finally {
      publishing.close().await(10, TimeUnit.SECONDS);
    }
    JsonObject renewed = published.first("upstream.renewed");
    assertEquals(1, renewed.getInteger("renewals"));
    assertTrue(renewed.getString("reason").contains("goAway"), renewed.getString("reason"));
    assertFalse(published.all().toString().contains("handle-"), "resumption handles are never recorded");
  }

  @Test
  void anUnexpectedDropIsResumedOnAFreshConnection() throws Exception {
    RecordingClient client = open(false);
    client.nextEvent("session.created");
    client.socket().writeTextMessage(ClientEvents.userText("hello"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    client.nextEvent("response.done");
    client.socket().writeTextMessage(ClientEvents.userText("now hang up"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    // Unlike after goAway, what was in flight on a dropped connection is gone with it: speak again once resumed.
    RecordingClient.await(() -> gemini.received("setup").size() == 2, "a resuming setup");
    client.socket().writeTextMessage(ClientEvents.userText("are you there"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    JsonObject done = client.nextEvent("response.done");
    assertEquals("completed", done.getJsonObject("response").getString("status"));
    assertEquals(2, gemini.handshakes().size());
    assertTrue(gemini.received("setup").get(1).getJsonObject("setup").getJsonObject("sessionResumption")
        .containsKey("handle"));
    assertFalse(client.socket().isClosed());
  }

  @Test
  void withoutAResumptionHandleAConnectionLimitClosesTheClientWith1001(Vertx vertx) throws Exception {
    FakeGemini stingy = FakeGemini.start(vertx, false).await(5, TimeUnit.SECONDS);
    RelayFixture other = RelayFixture.start(vertx, """
        model_list:
          - model_name: gemini-live
            litellm_params: {model: gemini/gemini-live-test, api_key: k, api_base: "%s"}
        general_settings:
          master_key: %s
        """.formatted(stingy.baseUrl(), RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
    try {
      RecordingClient client = other.record("gemini-live").await(10, TimeUnit.SECONDS);
      client.nextEvent("session.created");
      client.socket().writeTextMessage(ClientEvents.userText("please go away"));
      client.socket().writeTextMessage("{\"type\":\"response.create\"}");
      assertEquals("upstream_going_away", client.nextEvent("error").getJsonObject("error").getString("code"));
      RecordingClient.Close close = client.awaitClose();
      assertEquals((short) 1001, close.code());
      assertTrue(close.reason().contains("reconnect"), close.reason());
      assertEquals(1, stingy.handshakes().size());
    } finally {
      other.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aCancelledToolCallIsDeletedAndItsOutputNotSent() throws Exception {
    RecordingClient client = open(false);
    client.nextEvent("session.created");
    client.socket().writeTextMessage(ClientEvents.userText("call and take it back"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    JsonObject item = client.nextEvent("response.output_item.done").getJsonObject("item");
    assertEquals("function_call", item.getString("type"));
    JsonObject deleted = client.nextEvent("conversation.item.deleted");
    assertEquals(item.getString("id"), deleted.getString("item_id"));
    client.socket().writeTextMessage(new JsonObject().put("type", "conversation.item.create").put("item",
        new JsonObject().put("type", "function_call_output").put("call_id", item.getString("call_id"))
            .put("output", "{\"temp\":3}")).encode());
    assertEquals("tool_call_cancelled", client.nextEvent("error").getJsonObject("error").getString("code"));
    assertTrue(gemini.received("toolResponse").isEmpty(), "no output for a cancelled call");
  }

  @Test
  void aCancelledResponseEndsAndTheRestOfGeminisTurnIsDropped() throws Exception {
    RecordingClient client = open(false);
    client.nextEvent("session.created");
    client.socket().writeTextMessage(ClientEvents.userText("tell me a long story"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    assertEquals("Once", client.nextEvent("response.output_text.delta").getString("delta"));
    client.socket().writeTextMessage("{\"type\":\"response.cancel\"}");
    assertEquals("cancelled", client.nextEvent("response.done").getJsonObject("response").getString("status"));
    client.socket().writeTextMessage(ClientEvents.userText("never mind, hello"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    List<JsonObject> events = client.until("response.done");
    String text = events.stream().filter(e -> e.getString("type").equals("response.output_text.delta"))
        .map(e -> e.getString("delta")).reduce("", String::concat);
    assertEquals("Hello there", text, "the cancelled turn's rest never shows: " + RecordingClient.types(events));
    assertEquals("completed", events.get(events.size() - 1).getJsonObject("response").getString("status"));
  }

  @Test
  void g711InputIsDecodedAndLabelledAt8kHz() throws Exception {
    RecordingClient client = open(true);
    client.nextEvent("session.created");
    client.socket().writeTextMessage("{\"type\":\"session.update\",\"session\":{\"input_audio_format\":"
        + "\"g711_alaw\"}}");
    client.nextEvent("session.updated");
    byte[] alaw = new byte[160];
    java.util.Arrays.fill(alaw, (byte) 0xD5);
    client.socket().writeTextMessage(new JsonObject().put("type", "input_audio_buffer.append")
        .put("audio", Base64.getEncoder().encodeToString(alaw)).encode());
    client.socket().writeTextMessage("{\"type\":\"input_audio_buffer.commit\"}");
    client.nextEvent("response.done");
    JsonObject sent = gemini.received("realtimeInput").get(0).getJsonObject("realtimeInput").getJsonObject("audio");
    assertEquals("audio/pcm;rate=8000", sent.getString("mimeType"));
    byte[] pcm = Base64.getDecoder().decode(sent.getString("data"));
    assertEquals(320, pcm.length, "one PCM16 sample per G.711 byte");
    assertEquals(8, (short) ((pcm[1] << 8) | (pcm[0] & 0xFF)), "A-law 0xD5 is +8");
  }

  @Test
  void oldContextIsTruncatedLikeOpenAisAutoUnlessTheClientDisablesIt() throws Exception {
    RecordingClient client = open(false);
    client.nextEvent("session.created");
    client.socket().writeTextMessage(ClientEvents.userText("hello"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    client.nextEvent("response.done");
    assertEquals(new JsonObject().put("slidingWindow", new JsonObject()), gemini.received("setup").get(0)
        .getJsonObject("setup").getJsonObject("contextWindowCompression"), "truncation auto by default");
    RecordingClient other = open(false);
    other.nextEvent("session.created");
    other.socket().writeTextMessage("{\"type\":\"session.update\",\"session\":{\"truncation\":\"disabled\"}}");
    other.nextEvent("session.updated");
    assertFalse(gemini.received("setup").get(1).getJsonObject("setup").containsKey("contextWindowCompression"));
  }

  @Test
  void aTextOnlyClientOfANativeAudioModelGetsTheSpeechTranscriptAsText(Vertx vertx) throws Exception {
    RelayFixture nativeAudio = RelayFixture.start(vertx, """
        model_list:
          - model_name: native
            litellm_params: {model: gemini/gemini-2.5-flash-native-audio-preview-09-2025, api_key: k,
              api_base: "%s"}
        general_settings:
          master_key: %s
        """.formatted(gemini.baseUrl(), RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
    try {
      RecordingClient client = nativeAudio.record("native").await(10, TimeUnit.SECONDS);
      client.nextEvent("session.created");
      client.socket().writeTextMessage("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\","
          + "\"output_modalities\":[\"text\"]}}");
      client.nextEvent("session.updated");
      client.socket().writeTextMessage(new JsonObject().put("type", "input_audio_buffer.append")
          .put("audio", Base64.getEncoder().encodeToString(new byte[960])).encode());
      client.socket().writeTextMessage("{\"type\":\"input_audio_buffer.commit\"}");
      List<JsonObject> events = client.until("response.done");
      JsonObject setup = gemini.received("setup").get(0).getJsonObject("setup");
      assertEquals(new JsonArray().add("AUDIO"), setup.getJsonObject("generationConfig")
          .getJsonArray("responseModalities"), "native-audio models refuse TEXT (1007)");
      String text = events.stream().filter(e -> e.getString("type").equals("response.output_text.delta"))
          .map(e -> e.getString("delta")).reduce("", String::concat);
      assertEquals("an answer", text);
      assertFalse(RecordingClient.types(events).contains("response.output_audio.delta"),
          RecordingClient.types(events).toString());
    } finally {
      nativeAudio.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void interruptionCancelsTheResponseAndSignalsSpeech() throws Exception {
    RecordingClient client = open(false);
    client.nextEvent("session.created");
    client.socket().writeTextMessage(ClientEvents.userText("please interrupt me"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    List<JsonObject> events = client.until("response.done");
    assertTrue(RecordingClient.types(events).contains("input_audio_buffer.speech_started"), RecordingClient.types(events).toString());
    assertEquals("cancelled", events.get(events.size() - 1).getJsonObject("response").getString("status"));
  }

  @Test
  void toolCallsBecomeFunctionCallItemsAndOutputsBecomeToolResponses() throws Exception {
    RecordingClient client = open(false);
    client.nextEvent("session.created");
    client.socket().writeTextMessage(new JsonObject().put("type", "session.update").put("session", new JsonObject()
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("name", "get_weather")
            .put("parameters", new JsonObject().put("type", "object"))))).encode());
    client.nextEvent("session.updated");
    client.socket().writeTextMessage(ClientEvents.userText("call a tool"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    JsonObject call = client.nextEvent("response.function_call_arguments.done");
    assertEquals("get_weather", call.getString("name"));
    assertEquals(new JsonObject().put("city", "Paris"), new JsonObject(call.getString("arguments")));
    client.nextEvent("response.done");
    client.socket().writeTextMessage(new JsonObject().put("type", "conversation.item.create").put("item",
        new JsonObject().put("type", "function_call_output").put("call_id", call.getString("call_id"))
            .put("output", "{\"temp\":20}")).encode());
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    List<JsonObject> continuation = client.until("response.done");
    assertEquals("It is 20 degrees", continuation.stream().filter(e -> e.getString("type")
        .equals("response.output_text.done")).findFirst().orElseThrow().getString("text"));
    // Exactly one reply to the tool's output: the next response is the answer to the next question. (A bare
    // turnComplete after the toolResponse would have made Gemini, and the fake, answer a second time in between.)
    client.socket().writeTextMessage(ClientEvents.userText("and tomorrow?"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    List<JsonObject> next = client.until("response.done");
    assertEquals(1, RecordingClient.types(next).stream().filter("response.created"::equals).count(),
        RecordingClient.types(next).toString());
    assertEquals("Rain tomorrow", next.stream().filter(e -> e.getString("type").equals("response.output_text.done"))
        .findFirst().orElseThrow().getString("text"), "the answer to the next question, not a second reply to the tool");
    JsonObject response = gemini.received("toolResponse").get(0).getJsonObject("toolResponse")
        .getJsonArray("functionResponses").getJsonObject(0);
    assertEquals("fc_1", response.getString("id"));
    assertEquals("get_weather", response.getString("name"));
    assertEquals(20, response.getJsonObject("response").getInteger("temp"));
    assertEquals("get_weather", gemini.received("setup").get(0).getJsonObject("setup").getJsonArray("tools")
        .getJsonObject(0).getJsonArray("functionDeclarations").getJsonObject(0).getString("name"));
  }
}
