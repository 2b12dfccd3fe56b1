package dev.rtrelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.RelayNode;
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
 * The clients users actually run, unchanged: the official {@code openai} Node SDK ({@code OpenAIRealtimeWS}, Bearer
 * auth, wss only) and a raw {@code ws} client authenticating with the browser subprotocol form. Both do a text and an
 * audio round trip through the relay (over TLS) to the built-in simulated provider.
 */
class OfficialClientsTest {
  private static final String APP_KEY = "sk-e2e-app-key-6b2f";
  @TempDir static Path tmp;
  private static Vertx vertx;
  private static RelayNode relay;
  private static SelfSignedTls tls;

  @BeforeAll
  static void start() throws Exception {
    tls = SelfSignedTls.create(tmp);
    String yaml = """
        model_list:
          - model_name: gpt-realtime
            litellm_params:
              model: simulated/gpt-realtime
        guardrails:
          - guardrail_name: your-guardrail-name
            litellm_params:
              guardrail: litellm_content_filter
              mode: pre_call
              blocked_words:
                - {keyword: system update, action: BLOCK, description: Prompt injection attempt}
        general_settings:
          master_key: sk-e2e-master-unused
          webrtc_token_secrets: [e2e-token-secret-0123456789abcdef-0123456789]
          virtual_keys:
            - key_alias: e2e-app
              key: %s
              models: [gpt-realtime]
        """.formatted(APP_KEY);
    vertx = Vertx.vertx();
    relay = tls.startRelay(vertx, yaml);
  }

  @AfterAll
  static void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static void assertRoundTrips(JsonObject result, String sentText) {
    assertTrue(result.getBoolean("ok"), "client reported failure: " + result.encode());
    assertEquals(0, result.getInteger("exitCode"));
    assertTrue(result.getString("text").contains(sentText), "text round trip: " + result.getString("text"));
    assertTrue(result.getInteger("audioBytes") > 0, "audio round trip produced audio");
    assertTrue(result.getString("transcript").contains("audio"), result.getString("transcript"));
    JsonArray events = result.getJsonArray("events");
    assertEquals("session.created", events.getString(0), "first event arrives through the relay");
    JsonObject usage = result.getJsonObject("usage");
    assertEquals(usage.getInteger("input_tokens") + usage.getInteger("output_tokens"), usage.getInteger("total_tokens"));
  }

  @Test
  void officialOpenAiNodeSdkCompletesTextAndAudioRoundTripsOverTls() throws Exception {
    JsonObject result = NodeScript.run("sdk-roundtrip.mjs", Map.of(
        "RELAY_BASE_URL", "https://127.0.0.1:" + relay.port() + "/v1",
        "RELAY_KEY", APP_KEY,
        "RELAY_MODEL", "gpt-realtime",
        "NODE_EXTRA_CA_CERTS", tls.cert().toString()));
    assertRoundTrips(result, "ping from sdk");
  }

  @Test
  void rawWsClientWithSubprotocolKeyGetsRealtimeAndCompletesRoundTrips() throws Exception {
    JsonObject result = NodeScript.run("ws-subprotocol-roundtrip.mjs", Map.of(
        "RELAY_WS_URL", "wss://127.0.0.1:" + relay.port() + "/v1/realtime?model=gpt-realtime",
        "RELAY_KEY", APP_KEY,
        "NODE_EXTRA_CA_CERTS", tls.cert().toString()));
    assertRoundTrips(result, "ping from ws subprotocol client");
    assertEquals("realtime", result.getString("protocol"));
  }

  @Test
  void theSeedDocsGuardrailExampleSeesTheErrorEventAndClose1011() throws Exception {
    JsonObject result = NodeScript.run("seed-guardrail-example.mjs", Map.of(
        "RELAY_WS_URL", "wss://127.0.0.1:" + relay.port()
            + "/v1/realtime?model=gpt-realtime&guardrails=your-guardrail-name",
        "RELAY_KEY", APP_KEY,
        "RELAY_TEXT", "please run a system update",
        "NODE_EXTRA_CA_CERTS", tls.cert().toString()));
    assertTrue(result.getBoolean("connected"), result.encode());
    assertEquals("guardrail_error", result.getString("guardrailErrorType"));
    assertEquals("Guardrail blocked this request: Content blocked: keyword 'system update' detected "
        + "(Prompt injection attempt)", result.getString("guardrailError"));
    assertEquals(1011, result.getInteger("closeCode"));
  }

  @Test
  void seedBrowserFlowAndSdkSignInToWebRtcThroughTheRelay() throws Exception {
    JsonObject result = NodeScript.run("webrtc-signin.mjs", Map.of(
        "RELAY_BASE_URL", "https://127.0.0.1:" + relay.port() + "/v1",
        "RELAY_KEY", APP_KEY,
        "RELAY_MODEL", "gpt-realtime",
        "NODE_EXTRA_CA_CERTS", tls.cert().toString()));
    assertTrue(result.getBoolean("ok"), result.encode());
    for (String flow : new String[] {"seed", "sdk"}) {
      JsonObject r = result.getJsonObject(flow);
      assertEquals("rtr_", r.getString("tokenPrefix"), flow + ": the client gets a relay token: " + r.encode());
      assertEquals(201, r.getInteger("status"), flow + ": " + r.encode());
      assertTrue(r.getString("location").startsWith("/v1/realtime/calls/rtc_sim_"), flow + ": " + r.encode());
      assertTrue(r.getString("answer").startsWith("v=0\r\n"), flow + ": an SDP answer: " + r.encode());
    }
    assertEquals(true, result.getJsonObject("seed").getBoolean("sameValue"));
    assertEquals("application/sdp", result.getJsonObject("seed").getString("contentType"));
    assertEquals("gpt-realtime", result.getJsonObject("sdk").getString("sessionModel"));
  }

  @Test
  void wrongKeySurfacesAs401InTheSdk() throws Exception {
    JsonObject result = NodeScript.run("sdk-roundtrip.mjs", Map.of(
        "RELAY_BASE_URL", "https://127.0.0.1:" + relay.port() + "/v1",
        "RELAY_KEY", "sk-not-a-valid-key",
        "RELAY_MODEL", "gpt-realtime",
        "NODE_EXTRA_CA_CERTS", tls.cert().toString()));
    assertEquals(false, result.getBoolean("ok"));
    assertTrue(result.getString("error").contains("401"), result.getString("error"));
  }
}
