package dev.rtrelay.relay.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.OnEventLoop;
import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.PrometheusSamples;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.RelayFixture.Rejection;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connect-time failover across a group's deployments and LiteLLM-style cooldown. The failing deployment gets an
 * overwhelming weight so simple-shuffle tries it first (odds of the other order: 1 in 10^9).
 */
@ExtendWith(VertxExtension.class)
class FailoverTest {
  private static final String KEY = "sk-provider-failover-key-8d1e";
  private RelayFixture relay;

  @AfterEach
  void stop() throws Exception {
    if (relay != null) {
      relay.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static String deployment(String id, String base, double weight) {
    return """
          - model_name: voice
            litellm_params:
              model: openai/voice-model
              api_key: %s
              api_base: %s
              weight: %s
            model_info:
              mode: realtime
              id: %s
        """.formatted(KEY, base, weight, id);
  }

  private static String config(String deployments, String router) {
    return "model_list:\n" + deployments + "general_settings:\n  master_key: " + RelayFixture.MASTER_KEY + "\n"
        + router;
  }

  @Test
  void failsOverToTheNextDeploymentWhenTheFirstRefuses(Vertx vertx) throws Exception {
    FakeUpstream broken = FakeUpstream.rejecting(vertx, 503).await(10, TimeUnit.SECONDS);
    FakeUpstream healthy = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, config(deployment("broken", broken.baseUrl(), 1e9)
        + deployment("healthy", healthy.baseUrl(), 1), "")).await(10, TimeUnit.SECONDS);
    RecordingClient client = relay.record("voice").await(10, TimeUnit.SECONDS);
    client.socket().writeTextMessage("{\"type\":\"ping\"}");
    assertEquals("{\"type\":\"ping\"}", client.next().text());
    assertEquals(1, broken.handshakes().size());
    assertEquals(1, healthy.acceptedSockets());
  }

  @Test
  void failsOverWhenTheFirstDeploymentIsUnreachable(Vertx vertx) throws Exception {
    FakeUpstream healthy = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    // Port 1 on loopback: nothing listens there, so the connect is refused at once.
    relay = RelayFixture.start(vertx, config(deployment("down", "http://127.0.0.1:1", 1e9)
        + deployment("healthy", healthy.baseUrl(), 1), "")).await(10, TimeUnit.SECONDS);
    WebSocket ws = relay.connect("voice").await(10, TimeUnit.SECONDS);
    assertEquals(1, healthy.acceptedSockets());
    ws.close();
  }

  @Test
  void aProviderThatAcceptsButNeverAnswersTheUpgradeIsCountedAsATimeoutNotAConnectError(Vertx vertx)
      throws Exception {
    // Accepts the TCP connection and reads the upgrade request, then says nothing.
    int port = vertx.createNetServer().connectHandler(socket -> socket.handler(bytes -> { }))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    relay = RelayFixture.start(vertx, config(deployment("silent", "http://127.0.0.1:" + port, 1),
        "relay_settings:\n  upstream_connect_timeout_seconds: 0.5\n")).await(10, TimeUnit.SECONDS);
    Rejection r = relay.expectRejection(relay.options("voice").addHeader("api-key", RelayFixture.MASTER_KEY))
        .await(10, TimeUnit.SECONDS);
    assertTrue(r.message().contains("silent: timeout"), r.message());
    HttpClient http = vertx.createHttpClient();
    String metrics = OnEventLoop.call(vertx, () -> http.request(HttpMethod.GET, relay.managementPort(), "127.0.0.1",
        "/metrics").compose(req -> req.send().compose(resp -> resp.body()))).await(10, TimeUnit.SECONDS).toString();
    PrometheusSamples samples = new PrometheusSamples(metrics);
    assertEquals(1, samples.value("rtrelay_upstream_connect_failures_total", "deployment", "silent", "reason",
        "timeout"));
    assertFalse(metrics.contains("reason=\"connect_error\""), "a handshake timeout is not a connect error");
  }

  @Test
  void allDeploymentsFailingGives502NamingAliasAndDeploymentsButNoKey(Vertx vertx) throws Exception {
    FakeUpstream a = FakeUpstream.rejecting(vertx, 500).await(10, TimeUnit.SECONDS);
    FakeUpstream b = FakeUpstream.rejecting(vertx, 503).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, config(deployment("dep-a", a.baseUrl(), 1) + deployment("dep-b", b.baseUrl(), 1),
        "")).await(10, TimeUnit.SECONDS);
    Rejection r = relay.expectRejection(relay.options("voice").addHeader("api-key", RelayFixture.MASTER_KEY))
        .await(10, TimeUnit.SECONDS);
    assertEquals(502, r.status());
    assertTrue(r.message().contains("'voice'"), r.message());
    assertTrue(r.message().contains("dep-a") && r.message().contains("dep-b"), r.message());
    assertFalse(r.body().encode().contains(KEY));
    assertFalse(r.body().encode().contains(RelayFixture.MASTER_KEY));
  }

  @Test
  void allDeploymentsRateLimitedGives429(Vertx vertx) throws Exception {
    FakeUpstream a = FakeUpstream.rejecting(vertx, 429).await(10, TimeUnit.SECONDS);
    FakeUpstream b = FakeUpstream.rejecting(vertx, 429).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, config(deployment("dep-a", a.baseUrl(), 1) + deployment("dep-b", b.baseUrl(), 1),
        "")).await(10, TimeUnit.SECONDS);
    Rejection r = relay.expectRejection(relay.options("voice").addHeader("api-key", RelayFixture.MASTER_KEY))
        .await(10, TimeUnit.SECONDS);
    assertEquals(429, r.status());
  }

  @Test
  void deploymentThatFailedAllowedFailsTimesIsSkippedDuringCooldown(Vertx vertx) throws Exception {
    FakeUpstream broken = FakeUpstream.rejecting(vertx, 503).await(10, TimeUnit.SECONDS);
    FakeUpstream healthy = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, config(deployment("broken", broken.baseUrl(), 1e9)
            + deployment("healthy", healthy.baseUrl(), 1), "router_settings:\n  allowed_fails: 2\n  cooldown_time: 600\n"))
        .await(10, TimeUnit.SECONDS);
    for (int i = 0; i < 4; i++) {
      relay.connect("voice").await(10, TimeUnit.SECONDS).close().await(5, TimeUnit.SECONDS);
    }
    assertEquals(2, broken.handshakes().size(), "tried until allowed_fails, then cooled down");
    assertEquals(4, healthy.acceptedSockets());
  }

  @Test
  void groupWhoseDeploymentsAreAllCoolingDownAnswers503WithRetryAfter(Vertx vertx) throws Exception {
    FakeUpstream broken = FakeUpstream.rejecting(vertx, 503).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, config(deployment("only", broken.baseUrl(), 1),
        "router_settings:\n  allowed_fails: 1\n  cooldown_time: 600\n")).await(10, TimeUnit.SECONDS);
    var options = relay.options("voice").addHeader("api-key", RelayFixture.MASTER_KEY);
    assertEquals(502, relay.expectRejection(options).await(10, TimeUnit.SECONDS).status());
    Rejection cooled = relay.expectRejection(options).await(10, TimeUnit.SECONDS);
    assertEquals(503, cooled.status());
    assertTrue(cooled.message().contains("cooling down"), cooled.message());
    assertEquals(1, broken.handshakes().size());
  }

  @Test
  void aGroupMixingOpenAiAndGeminiDeploymentsFailsOverToGeminiAndTranslates(Vertx vertx) throws Exception {
    FakeUpstream broken = FakeUpstream.rejecting(vertx, 503).await(10, TimeUnit.SECONDS);
    dev.rtrelay.relay.support.FakeGemini gemini = dev.rtrelay.relay.support.FakeGemini.start(vertx)
        .await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, config(deployment("openai-broken", broken.baseUrl(), 1e9) + """
          - model_name: voice
            litellm_params: {model: gemini/gemini-live-test, api_key: gm-key, api_base: "%s", weight: 1}
            model_info: {id: gemini-healthy}
        """.formatted(gemini.baseUrl()), "")).await(10, TimeUnit.SECONDS);
    RecordingClient client = relay.record("voice").await(10, TimeUnit.SECONDS);
    assertEquals("session.created", client.next().json().getString("type"), "translated, not relayed");
    client.socket().writeTextMessage(dev.rtrelay.relay.support.ClientEvents.userText("hello"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    assertEquals("completed", client.nextEvent("response.done").getJsonObject("response").getString("status"));
    assertEquals(1, broken.handshakes().size());
    assertEquals(1, gemini.handshakes().size());
  }

  @Test
  void aGroupMixingGeminiAndOpenAiDeploymentsFailsOverToOpenAiAndRelays(Vertx vertx) throws Exception {
    FakeUpstream healthy = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, config("""
          - model_name: voice
            litellm_params: {model: gemini/gemini-live-test, api_key: gm-key, api_base: "http://127.0.0.1:1",
              weight: 1e9}
            model_info: {id: gemini-down}
        """ + deployment("openai-healthy", healthy.baseUrl(), 1), "")).await(10, TimeUnit.SECONDS);
    RecordingClient client = relay.record("voice").await(10, TimeUnit.SECONDS);
    client.socket().writeTextMessage("{\"type\":\"ping\"}");
    assertEquals("{\"type\":\"ping\"}", client.next().text(), "relayed byte for byte");
    assertEquals(1, healthy.acceptedSockets());
  }
}
