package dev.rtrelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.RelayNode;
import dev.rtrelay.relay.support.FakeBedrock;
import dev.rtrelay.relay.support.FakeGemini;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official {@code openai} Node SDK and a raw {@code ws} client, unchanged, holding a text and an audio turn with
 * providers that speak other protocols: a {@code gemini/} alias against a fake Gemini Live server, and a
 * {@code bedrock/} alias against a fake Bedrock runtime (HTTP/2 event stream, Nova Sonic events). The clients cannot
 * tell either from OpenAI.
 */
class TranslatedProviderClientsTest {
  private static final String APP_KEY = "sk-e2e-translated-key-41c9";
  @TempDir static Path tmp;
  private static Vertx vertx;
  private static RelayNode relay;
  private static SelfSignedTls tls;
  private static FakeGemini gemini;
  private static FakeBedrock bedrock;

  @BeforeAll
  static void start() throws Exception {
    tls = SelfSignedTls.create(tmp);
    vertx = Vertx.vertx();
    gemini = FakeGemini.start(vertx).await(10, TimeUnit.SECONDS);
    bedrock = FakeBedrock.start(vertx).await(10, TimeUnit.SECONDS);
    String yaml = """
        model_list:
          - model_name: gemini-live
            litellm_params:
              model: gemini/gemini-live-test
              api_key: gm-e2e-provider-key
              api_base: %s
          - model_name: nova-sonic
            litellm_params:
              model: bedrock/amazon.nova-2-sonic-v1:0
              aws_region_name: us-east-1
              aws_access_key_id: AKIDE2ETEST
              aws_secret_access_key: e2e-fake-aws-secret
              aws_bedrock_runtime_endpoint: %s
        general_settings:
          master_key: sk-e2e-master-unused
          virtual_keys:
            - key_alias: e2e-app
              key: %s
              models: [gemini-live, nova-sonic]
        """.formatted(gemini.baseUrl(), bedrock.endpoint(), APP_KEY);
    relay = tls.startRelay(vertx, yaml);
  }

  @AfterAll
  static void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject officialSdk(String model) throws Exception {
    return NodeScript.run("sdk-roundtrip.mjs", Map.of(
        "RELAY_BASE_URL", "https://127.0.0.1:" + relay.port() + "/v1",
        "RELAY_KEY", APP_KEY,
        "RELAY_MODEL", model,
        "NODE_EXTRA_CA_CERTS", tls.cert().toString()));
  }

  private static JsonObject rawWs(String model) throws Exception {
    JsonObject result = NodeScript.run("ws-subprotocol-roundtrip.mjs", Map.of(
        "RELAY_WS_URL", "wss://127.0.0.1:" + relay.port() + "/v1/realtime?model=" + model,
        "RELAY_KEY", APP_KEY,
        "NODE_EXTRA_CA_CERTS", tls.cert().toString()));
    assertEquals("realtime", result.getString("protocol"));
    return result;
  }

  /** The fake answers text turns with "Hello there" and echoes a spoken turn's audio with the transcript "an answer". */
  private static void assertConversation(JsonObject result, long audioBefore) {
    assertTrue(result.getBoolean("ok"), "client reported failure: " + result.encode());
    assertTrue(result.getString("text").contains("Hello there"), "text turn: " + result.getString("text"));
    long sent = gemini.audioBytes() - audioBefore;
    assertTrue(sent > 0, "the client's audio reached Gemini");
    assertEquals(sent, result.getInteger("audioBytes").longValue(), "every audio byte came back as audio deltas");
    assertTrue(result.getString("transcript").contains("an answer"), result.getString("transcript"));
    JsonArray events = result.getJsonArray("events");
    assertEquals("session.created", events.getString(0));
    JsonObject usage = result.getJsonObject("usage");
    assertEquals(70, usage.getInteger("total_tokens"), "usage of the audio turn, translated: " + usage);
    assertEquals(30, usage.getJsonObject("output_token_details").getInteger("audio_tokens"), usage.encode());
  }

  @Test
  void officialOpenAiNodeSdkHoldsATextAndAudioConversationWithGemini() throws Exception {
    long audioBefore = gemini.audioBytes();
    JsonObject result = officialSdk("gemini-live");
    assertConversation(result, audioBefore);
  }

  @Test
  void rawWsClientHoldsATextAndAudioConversationWithGemini() throws Exception {
    long audioBefore = gemini.audioBytes();
    JsonObject result = rawWs("gemini-live");
    assertConversation(result, audioBefore);
  }

  /**
   * Nova always speaks: the text turn's FINAL transcript comes back as text (the session is text-only), and the
   * audio turn, whose response.create asks for audio, as 24 kHz audio with its transcript. The microphone audio
   * reaches Nova resampled to 16 kHz.
   */
  private static void assertNovaConversation(JsonObject result, long audioBefore) {
    assertTrue(result.getBoolean("ok"), "client reported failure: " + result.encode());
    assertTrue(result.getString("text").contains("Hello there"), "text turn: " + result.getString("text"));
    assertEquals(FakeBedrock.ANSWER_AUDIO_BYTES, result.getInteger("audioBytes"), result.encode());
    assertTrue(result.getString("transcript").contains("Hello there"), result.getString("transcript"));
    long received = bedrock.streams().stream().mapToLong(s -> s.audioBytes).sum() - audioBefore;
    assertEquals(10 * 480 * 2 * 2 / 3, received, "ten 20 ms chunks of 24 kHz PCM16, as 16 kHz");
    assertEquals("session.created", result.getJsonArray("events").getString(0));
    JsonObject usage = result.getJsonObject("usage");
    assertEquals(usage.getInteger("input_tokens") + usage.getInteger("output_tokens"),
        usage.getInteger("total_tokens"));
  }

  @Test
  void officialOpenAiNodeSdkHoldsATextAndAudioConversationWithNovaSonic() throws Exception {
    long audioBefore = bedrock.streams().stream().mapToLong(s -> s.audioBytes).sum();
    JsonObject result = officialSdk("nova-sonic");
    assertNovaConversation(result, audioBefore);
  }

  @Test
  void rawWsClientHoldsATextAndAudioConversationWithNovaSonic() throws Exception {
    long audioBefore = bedrock.streams().stream().mapToLong(s -> s.audioBytes).sum();
    JsonObject result = rawWs("nova-sonic");
    assertNovaConversation(result, audioBefore);
  }
}
