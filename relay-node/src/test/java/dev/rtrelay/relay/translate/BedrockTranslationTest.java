package dev.rtrelay.relay.translate;

import static dev.rtrelay.relay.support.RecordingClient.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.ClientEvents;
import dev.rtrelay.relay.support.FakeBedrock;
import dev.rtrelay.relay.support.LogCapture;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client speaking OpenAI Realtime to a bedrock/ deployment: the relay's AWS SDK client, over cleartext HTTP/2 with
 * SigV4-signed event-stream frames, against a fake Bedrock runtime speaking Nova Sonic's protocol.
 */
@ExtendWith(VertxExtension.class)
class BedrockTranslationTest {
  private static final String SECRET = "fake-aws-secret-key-for-tests-9f2c";
  private FakeBedrock bedrock;
  private RelayFixture relay;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    bedrock = FakeBedrock.start(vertx).await(5, TimeUnit.SECONDS);
    relay = relayWith(vertx, "");
  }

  private RelayFixture relayWith(Vertx vertx, String extraParams) throws Exception {
    return RelayFixture.start(vertx, """
        model_list:
          - model_name: nova
            litellm_params:
              model: bedrock/amazon.nova-2-sonic-v1:0
              aws_region_name: us-east-1
              aws_access_key_id: AKIDRELAYTEST
              aws_secret_access_key: %s
              aws_bedrock_runtime_endpoint: %s
              %s
        general_settings:
          master_key: %s
        """.formatted(SECRET, bedrock.endpoint(), extraParams, RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
  }

  private static RecordingClient open(RelayFixture relay, boolean beta) throws Exception {
    var options = relay.options("nova").addHeader("Authorization", "Bearer " + RelayFixture.MASTER_KEY);
    if (beta) {
      options.addHeader("OpenAI-Beta", "realtime=v1");
    }
    RecordingClient client = relay.record(options).await(10, TimeUnit.SECONDS);
    assertEquals("session.created", client.next().json().getString("type"));
    return client;
  }

  private static void say(RecordingClient client, String text) {
    client.socket().writeTextMessage(ClientEvents.userText(text));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
  }

  private static String joined(List<JsonObject> events, String type) {
    return events.stream().filter(e -> e.getString("type").equals(type)).map(e -> e.getString("delta"))
        .reduce("", String::concat);
  }

  private static int audioBytes(List<JsonObject> events, String type) {
    return events.stream().filter(e -> e.getString("type").equals(type))
        .mapToInt(e -> Base64.getDecoder().decode(e.getString("delta")).length).sum();
  }

  @Test
  void aTextTurnIsSignedStreamedAndAnsweredWithAudioAndTheFinalTranscript() throws Exception {
    RecordingClient client = open(relay, false);
    client.socket().writeTextMessage(new JsonObject().put("type", "session.update").put("session", new JsonObject()
        .put("type", "realtime").put("instructions", "Be brief")
        .put("audio", new JsonObject().put("output", new JsonObject().put("voice", "coral")))).encode());
    client.nextEvent("session.updated");
    say(client, "hello");
    List<JsonObject> events = client.until("response.done");
    assertEquals("Hello there", joined(events, "response.output_audio_transcript.delta"),
        "the FINAL transcript, not the SPECULATIVE preview");
    assertEquals(FakeBedrock.ANSWER_AUDIO_BYTES, audioBytes(events, "response.output_audio.delta"));
    assertEquals("completed", events.get(events.size() - 1).getJsonObject("response").getString("status"));
    FakeBedrock.Stream stream = bedrock.streams().get(0);
    assertEquals("/model/amazon.nova-2-sonic-v1%3A0/invoke-with-bidirectional-stream", stream.path);
    String auth = stream.headers.get("authorization");
    assertTrue(auth.startsWith("AWS4-HMAC-SHA256 Credential=AKIDRELAYTEST/") && auth.contains("/us-east-1/bedrock/"),
        auth);
    assertFalse(auth.contains(SECRET));
    assertEquals(List.of("sessionStart", "promptStart", "contentStart", "textInput", "contentEnd", "contentStart",
        "textInput", "contentEnd"), stream.names());
    JsonObject prompt = stream.named("promptStart").get(0);
    assertEquals("tiffany", prompt.getJsonObject("audioOutputConfiguration").getString("voiceId"));
    assertEquals(24000, prompt.getJsonObject("audioOutputConfiguration").getInteger("sampleRateHertz"));
    JsonObject system = stream.named("contentStart").get(0);
    assertEquals("SYSTEM", system.getString("role"));
    assertEquals("Be brief", stream.named("textInput").get(0).getString("content"));
    JsonObject user = stream.named("contentStart").get(1);
    assertEquals("USER", user.getString("role"));
    assertTrue(user.getBoolean("interactive"));
    assertEquals("hello", stream.named("textInput").get(1).getString("content"));

    // Timed like a relayed session: the figures are in the metrics.
    var metrics = relay.scrape();
    assertEquals(1, metrics.value("rtrelay_time_to_first_audio_seconds_count", "model", "nova"));
    assertEquals(1, metrics.value("rtrelay_time_to_first_text_seconds_count", "model", "nova"));
  }

  @Test
  void aBetaTextOnlySessionGetsTextDeltasAndNoAudio() throws Exception {
    RecordingClient client = open(relay, true);
    client.socket().writeTextMessage("{\"type\":\"session.update\",\"session\":{\"modalities\":[\"text\"]}}");
    client.nextEvent("session.updated");
    say(client, "hello");
    List<JsonObject> events = client.until("response.done");
    assertEquals("Hello there", joined(events, "response.text.delta"));
    assertFalse(types(events).contains("response.audio.delta"), types(events).toString());
    assertTrue(types(events).contains("response.text.done"), types(events).toString());
  }

  @Test
  void audioIsResampledTo16kHzAndTheTurnIsTranscribedAndAnswered() throws Exception {
    RecordingClient client = open(relay, false);
    int chunks = 10;
    byte[] pcm24k = new byte[960];
    for (int i = 0; i < chunks; i++) {
      client.socket().writeTextMessage(new JsonObject().put("type", "input_audio_buffer.append")
          .put("audio", Base64.getEncoder().encodeToString(pcm24k)).encode());
    }
    client.socket().writeTextMessage("{\"type\":\"input_audio_buffer.commit\"}");
    List<JsonObject> events = client.until("response.done");
    FakeBedrock.Stream stream = bedrock.streams().get(0);
    assertEquals(16000, stream.inputSampleRate, "labelled truthfully");
    assertEquals(chunks * 960L * 2 / 3, stream.audioBytes, "24 kHz in, 16 kHz out: two samples for three");
    assertEquals("hi nova", events.stream().filter(e -> e.getString("type")
        .equals("conversation.item.input_audio_transcription.completed")).findFirst().orElseThrow()
        .getString("transcript"));
    assertEquals(FakeBedrock.ANSWER_AUDIO_BYTES, audioBytes(events, "response.output_audio.delta"));
    JsonObject audioStart = stream.named("contentStart").stream().filter(c -> "AUDIO".equals(c.getString("type")))
        .findFirst().orElseThrow();
    assertTrue(audioStart.getBoolean("interactive"));
    assertEquals("USER", audioStart.getString("role"));
  }

  @Test
  void g711InputIsDecodedAndUpsampledTo16kHz() throws Exception {
    RecordingClient client = open(relay, true);
    client.socket().writeTextMessage("{\"type\":\"session.update\",\"session\":{\"input_audio_format\":"
        + "\"g711_ulaw\"}}");
    client.nextEvent("session.updated");
    byte[] ulaw = new byte[160];
    java.util.Arrays.fill(ulaw, (byte) 0xFF);
    for (int i = 0; i < 10; i++) {
      client.socket().writeTextMessage(new JsonObject().put("type", "input_audio_buffer.append")
          .put("audio", Base64.getEncoder().encodeToString(ulaw)).encode());
    }
    client.socket().writeTextMessage("{\"type\":\"input_audio_buffer.commit\"}");
    client.nextEvent("response.done");
    assertEquals(10 * 160 * 2 * 2, bedrock.streams().get(0).audioBytes, "8 kHz G.711 becomes 16 kHz PCM16");
  }

  @Test
  void toolUseBecomesAFunctionCallAndItsOutputAToolResult() throws Exception {
    RecordingClient client = open(relay, false);
    client.socket().writeTextMessage(new JsonObject().put("type", "session.update").put("session", new JsonObject()
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("name", "get_weather")
            .put("description", "Weather").put("parameters", new JsonObject().put("type", "object"))))).encode());
    client.nextEvent("session.updated");
    say(client, "call a tool");
    List<String> before = types(client.until("response.function_call_arguments.done"));
    assertTrue(before.containsAll(List.of("conversation.item.added", "response.function_call_arguments.delta")),
        "the call joins the conversation and its arguments stream first, as OpenAI sends them: " + before);
    JsonObject call = client.lastSeen();
    assertEquals("get_weather", call.getString("name"));
    assertEquals("tooluse_1", call.getString("call_id"));
    assertEquals(new JsonObject().put("city", "Paris"), new JsonObject(call.getString("arguments")));
    client.nextEvent("response.done");
    client.socket().writeTextMessage(new JsonObject().put("type", "conversation.item.create").put("item",
        new JsonObject().put("type", "function_call_output").put("call_id", "tooluse_1")
            .put("output", "{\"temp\":20}")).encode());
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    List<JsonObject> events = client.until("response.done");
    assertEquals("It is sunny", joined(events, "response.output_audio_transcript.delta"));
    FakeBedrock.Stream stream = bedrock.streams().get(0);
    JsonObject tool = stream.named("promptStart").get(0).getJsonObject("toolConfiguration").getJsonArray("tools")
        .getJsonObject(0).getJsonObject("toolSpec");
    assertEquals("get_weather", tool.getString("name"));
    assertEquals("{\"type\":\"object\"}", tool.getJsonObject("inputSchema").getString("json"), "schema as a string");
    JsonObject result = stream.named("contentStart").stream().filter(c -> "TOOL".equals(c.getString("type")))
        .findFirst().orElseThrow();
    assertEquals("tooluse_1", result.getJsonObject("toolResultInputConfiguration").getString("toolUseId"));
    assertEquals("{\"temp\":20}", stream.named("toolResult").get(0).getString("content"));
  }

  @Test
  void anInterruptionCancelsTheResponseAndSignalsSpeech() throws Exception {
    RecordingClient client = open(relay, false);
    say(client, "please interrupt me");
    List<JsonObject> events = client.until("response.done");
    assertTrue(types(events).contains("input_audio_buffer.speech_started"), types(events).toString());
    assertEquals("cancelled", events.get(events.size() - 1).getJsonObject("response").getString("status"));
  }

  @Test
  void responseUsageAddsUpToNovasLastRunningTotal() throws Exception {
    RecordingClient client = open(relay, false);
    long total = 0;
    long audioOut = 0;
    for (String text : new String[] {"hello", "and again", "one more time"}) {
      say(client, text);
      JsonObject usage = client.nextEvent("response.done").getJsonObject("response").getJsonObject("usage");
      total += usage.getLong("total_tokens");
      audioOut += usage.getJsonObject("output_token_details").getLong("audio_tokens");
      assertEquals(usage.getLong("input_tokens") + usage.getLong("output_tokens"), usage.getLong("total_tokens"));
    }
    assertEquals(36, audioOut, "speech output tokens are audio, not text");
    long reported = bedrock.streams().get(0).lastUsage.getLong("totalTokens");
    assertTrue(total <= reported && total > 0, total + " of " + reported);
    // What Nova reported after the last response.done is billed when the session ends: metrics count every token.
    client.socket().close();
    RecordingClient.await(() -> billedTokens() == reported, "all " + reported + " tokens billed");
  }

  private long billedTokens() {
    try {
      String text = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + relay.managementPort() + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      dev.rtrelay.relay.support.PrometheusSamples m = new dev.rtrelay.relay.support.PrometheusSamples(text);
      long sum = 0;
      for (String kind : new String[] {"input_text", "input_audio", "output_text", "output_audio"}) {
        if (m.has("rtrelay_tokens_total", "model", "nova", "kind", kind)) {
          sum += (long) m.value("rtrelay_tokens_total", "model", "nova", "kind", kind);
        }
      }
      return sum;
    } catch (java.io.IOException | InterruptedException e) {
      return -1;
    }
  }

  @Test
  void aThrottledStreamReachesTheClientAsAnErrorAndClose1013() throws Exception {
    RecordingClient client = open(relay, false);
    say(client, "throttle me");
    JsonObject error = client.nextEvent("error");
    String message = error.getJsonObject("error").getString("message");
    assertTrue(message.toLowerCase().contains("throttling"), error.encode());
    assertFalse(message.contains("Too many requests"), "AWS's message (it can name account and role) stays in the "
        + "relay's log: " + message);
    assertEquals((short) 1013, client.awaitClose().code());
  }

  @Test
  void guardrailsCheckBedrockSessionsLikeAnyOther(Vertx vertx) throws Exception {
    RelayFixture guarded = RelayFixture.start(vertx, """
        model_list:
          - model_name: nova
            litellm_params: {model: "bedrock/amazon.nova-2-sonic-v1:0", aws_region_name: us-east-1,
              aws_access_key_id: AKIDRELAYTEST, aws_secret_access_key: %s, aws_bedrock_runtime_endpoint: "%s"}
        guardrails:
          - guardrail_name: words
            litellm_params: {guardrail: litellm_content_filter, mode: pre_call, default_on: true,
              blocked_words: [{keyword: secret plan, action: BLOCK}]}
        general_settings:
          master_key: %s
        """.formatted(SECRET, bedrock.endpoint(), RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
    try {
      RecordingClient client = open(guarded, false);
      say(client, "hello");
      client.nextEvent("response.done");
      client.socket().writeTextMessage(ClientEvents.userText("the secret plan"));
      assertEquals("guardrail_error", client.nextEvent("error").getJsonObject("error").getString("type"));
      assertEquals((short) 1011, client.awaitClose().code());
      assertTrue(bedrock.streams().get(0).named("textInput").stream()
          .noneMatch(t -> t.getString("content").contains("secret")), "the blocked text never reached Nova");
    } finally {
      guarded.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void anOldStreamIsRenewedWithTheConversationReplayedAsHistory(Vertx vertx) throws Exception {
    RelayFixture renewing = relayWith(vertx, "stream_renewal_seconds: 0");
    try {
      RecordingClient client = open(renewing, false);
      client.socket().writeTextMessage("{\"type\":\"session.update\",\"session\":{\"instructions\":\"Be brief\"}}");
      client.nextEvent("session.updated");
      say(client, "hello");
      client.nextEvent("response.done");
      RecordingClient.await(() -> bedrock.streams().size() == 2, "a second stream");
      say(client, "hello again");
      List<JsonObject> events = client.until("response.done");
      assertFalse(types(events).contains("session.created"), types(events).toString());
      assertEquals("completed", events.get(events.size() - 1).getJsonObject("response").getString("status"));
      FakeBedrock.Stream first = bedrock.streams().get(0);
      RecordingClient.await(() -> first.inputEnded, "the first stream's input to end");
      assertTrue(first.names().containsAll(List.of("promptEnd", "sessionEnd")), first.names().toString());
      FakeBedrock.Stream second = bedrock.streams().get(1);
      List<JsonObject> contents = second.named("contentStart");
      List<JsonObject> texts = second.named("textInput");
      assertEquals("SYSTEM", contents.get(0).getString("role"));
      assertEquals("Be brief", texts.get(0).getString("content"));
      assertEquals("USER", contents.get(1).getString("role"));
      assertFalse(contents.get(1).getBoolean("interactive"), "history is not a new turn");
      assertEquals("hello", texts.get(1).getString("content"));
      assertEquals("ASSISTANT", contents.get(2).getString("role"));
      assertEquals("Hello there", texts.get(2).getString("content"));
      assertEquals("hello again", texts.get(3).getString("content"));
      assertTrue(contents.get(3).getBoolean("interactive"));
    } finally {
      renewing.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aStreamWaitingForAToolResultIsNotRenewedUntilItHasIt(Vertx vertx) throws Exception {
    RelayFixture renewing = relayWith(vertx, "stream_renewal_seconds: 0");
    try {
      RecordingClient client = open(renewing, false);
      client.socket().writeTextMessage(new JsonObject().put("type", "session.update").put("session", new JsonObject()
          .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("name", "get_weather"))))
          .encode());
      client.nextEvent("session.updated");
      say(client, "call a tool");
      client.nextEvent("response.done");
      client.socket().writeTextMessage(new JsonObject().put("type", "conversation.item.create").put("item",
          new JsonObject().put("type", "function_call_output").put("call_id", "tooluse_1").put("output", "sunny"))
          .encode());
      client.nextEvent("response.done");
      assertEquals("sunny", bedrock.streams().get(0).named("toolResult").get(0).getString("content"),
          "the result went to the stream that asked for it");
      RecordingClient.await(() -> bedrock.streams().size() == 2, "a renewal once the call was answered");
    } finally {
      renewing.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aDroppedStreamIsRenewedAndTheSessionGoesOn() throws Exception {
    RecordingClient client = open(relay, false);
    say(client, "hello");
    client.nextEvent("response.done");
    say(client, "now drop it");
    RecordingClient.await(() -> bedrock.streams().size() == 2, "a second stream");
    say(client, "are you there");
    assertEquals("completed", client.nextEvent("response.done").getJsonObject("response").getString("status"));
    assertFalse(client.socket().isClosed());
    List<JsonObject> texts = bedrock.streams().get(1).named("textInput");
    assertEquals("hello", texts.get(0).getString("content"), "history replayed: " + texts);
  }

  @Test
  void aRefusedStreamFailsOverToTheNextDeploymentAndNoAwsSecretIsLogged(Vertx vertx) throws Exception {
    FakeBedrock refusing = FakeBedrock.start(vertx).await(5, TimeUnit.SECONDS);
    refusing.refuseWith(403);
    RelayFixture pair = RelayFixture.start(vertx, """
        model_list:
          - model_name: nova
            litellm_params: {model: "bedrock/amazon.nova-sonic-v1:0", aws_region_name: us-east-1,
              aws_access_key_id: AKIDRELAYTEST, aws_secret_access_key: %s, aws_bedrock_runtime_endpoint: "%s",
              weight: 1e9}
            model_info: {id: nova-denied}
          - model_name: nova
            litellm_params: {model: "bedrock/amazon.nova-sonic-v1:0", aws_region_name: us-east-1,
              aws_access_key_id: AKIDRELAYTEST, aws_secret_access_key: %s, aws_bedrock_runtime_endpoint: "%s"}
            model_info: {id: nova-ok}
        general_settings:
          master_key: %s
        """.formatted(SECRET, refusing.endpoint(), SECRET, bedrock.endpoint(), RelayFixture.MASTER_KEY))
        .await(10, TimeUnit.SECONDS);
    try (LogCapture logs = new LogCapture()) {
      RecordingClient client = open(pair, false);
      say(client, "hello");
      assertEquals("completed", client.nextEvent("response.done").getJsonObject("response").getString("status"));
      assertEquals(1, refusing.streams().size());
      assertEquals(1, bedrock.streams().size());
      say(client, "throttle me");
      client.awaitClose();
      List<String> lines = logs.lines();
      assertTrue(lines.stream().anyMatch(l -> l.contains("HTTP 403 (AccessDeniedException)")), lines.toString());
      assertTrue(lines.stream().noneMatch(l -> l.contains(SECRET)), "the AWS secret leaked into the logs");
    } finally {
      pair.close().await(10, TimeUnit.SECONDS);
    }
  }
}
