package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.OnEventLoop;
import dev.rtrelay.relay.support.PrometheusSamples;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The plain HTTP routes: model list per key, health probes, and JSON errors for anything else. */
@ExtendWith(VertxExtension.class)
class HttpRoutesTest {
  private RelayFixture relay;
  private Vertx vertx;
  private HttpClient http;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, TestConfigs.echo(upstream.baseUrl())).await(10, TimeUnit.SECONDS);
    http = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    http.close().await(5, TimeUnit.SECONDS);
    relay.close().await(10, TimeUnit.SECONDS);
  }

  private record Reply(int status, Buffer body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private Reply get(String uri, String apiKey) throws Exception {
    return get(relay.port(), uri, apiKey);
  }

  private Reply get(int port, String uri, String apiKey) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(port).setURI(uri);
    if (apiKey != null) {
      options.addHeader("Authorization", "Bearer " + apiKey);
    }
    return OnEventLoop.call(vertx, () -> http.request(options).compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b))))
        .await(10, TimeUnit.SECONDS);
  }

  @Test
  void modelsListsOnlyTheAliasesTheKeyMayUse() throws Exception {
    JsonArray restricted = get("/v1/models", TestConfigs.TEAM_KEY).json().getJsonArray("data");
    assertEquals(1, restricted.size());
    assertEquals("echo", restricted.getJsonObject(0).getString("id"));
    JsonObject all = get("/v1/models", RelayFixture.MASTER_KEY).json();
    assertEquals("list", all.getString("object"));
    assertEquals(2, all.getJsonArray("data").size());
  }

  @Test
  void modelsWithoutKeyIs401() throws Exception {
    assertEquals(401, get("/v1/models", null).status());
  }

  @Test
  void healthProbesAnswerWithoutAuthOnTheManagementPort() throws Exception {
    assertEquals(200, get(relay.managementPort(), "/health/liveliness", null).status());
    Reply ready = get(relay.managementPort(), "/health/readiness", null);
    assertEquals(200, ready.status());
    assertEquals("ready", ready.json().getString("status"));
  }

  @Test
  void aLiteLlmConfigWithNoRealtimeModelStartsListsNothingAndIsNotReady() throws Exception {
    RelayFixture chatOnly = RelayFixture.start(vertx, """
        model_list:
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_key: os.environ/NOT_SET_ANYWHERE}
          - model_name: claude
            litellm_params: {model: anthropic/claude-3-5-sonnet-20240620}
        general_settings:
          master_key: %s
          database_url: os.environ/DATABASE_URL
        router_settings:
          routing_strategy: usage-based-routing-v2
        """.formatted(RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
    try {
      Reply ready = get(chatOnly.managementPort(), "/health/readiness", null);
      assertEquals(503, ready.status());
      assertEquals("not_serving", ready.json().getString("status"));
      assertTrue(ready.json().getString("reason").startsWith("no realtime deployment in model_list"),
          ready.json().encode());
      Reply models = get(chatOnly.port(), "/v1/models", RelayFixture.MASTER_KEY);
      assertEquals(0, models.json().getJsonArray("data").size(), "chat models are never offered as realtime ones");
      RelayFixture.Rejection gpt4o = chatOnly.expectRejection(chatOnly.options("gpt-4o")
          .addHeader("Authorization", "Bearer " + RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
      assertEquals(404, gpt4o.status(), "a session on a skipped model is never sent upstream");
    } finally {
      chatOnly.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void thePublicPortServesNothingForOperators() throws Exception {
    for (String path : new String[] {"/metrics", "/health/liveliness", "/health/readiness"}) {
      assertEquals(404, get(path, null).status(), path + " on the clients' port");
    }
  }

  @Test
  void metricsArePrometheusTextWithoutKeys() throws Exception {
    Reply metrics = get(relay.managementPort(), "/metrics", null);
    assertEquals(200, metrics.status());
    String text = metrics.body().toString();
    PrometheusSamples samples = new PrometheusSamples(text);
    assertTrue(text.contains("# TYPE rtrelay_sessions_live gauge"), text);
    assertEquals(0, samples.value("rtrelay_sessions_live", "model", "echo"));
    assertEquals(0, samples.value("rtrelay_log_events_dropped_total", "reason", "buffer_full"));
    assertFalse(text.contains(RelayFixture.MASTER_KEY), text);
  }

  @Test
  void plainGetOnRealtimeIs426AndUnknownPathIs404() throws Exception {
    assertEquals(426, get("/v1/realtime?model=echo", RelayFixture.MASTER_KEY).status());
    Reply missing = get("/nope", null);
    assertEquals(404, missing.status());
    assertEquals("not_found_error", missing.json().getJsonObject("error").getString("type"));
  }
}
