package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.OnEventLoop;
import dev.rtrelay.relay.support.ClientEvents;
import dev.rtrelay.relay.support.PrometheusSamples;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A key's max_budget, spent by real responses of the simulated provider priced as gpt-realtime. */
@ExtendWith(VertxExtension.class)
class BudgetTest {
  private static final String CAPPED_KEY = "sk-capped-key-19ab";
  private static final String YAML = """
      model_list:
        - model_name: gpt-realtime
          litellm_params:
            model: simulated/gpt-realtime
      general_settings:
        master_key: %s
        virtual_keys:
          - key_alias: capped
            key: %s
            max_budget: 0.0001
            budget_duration: 30d
      """.formatted(RelayFixture.MASTER_KEY, CAPPED_KEY);

  private RelayFixture relay;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    relay = RelayFixture.start(vertx, YAML).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aResponseThatExhaustsTheBudgetClosesTheKeysLiveSessionsAndRefusesNewOnes() throws Exception {
    var options = relay.options("gpt-realtime").addHeader("Authorization", "Bearer " + CAPPED_KEY);
    RecordingClient spender = relay.record(options).await(10, TimeUnit.SECONDS);
    RecordingClient bystander = relay.record(options).await(10, TimeUnit.SECONDS);
    spender.nextEvent("session.created");
    spender.socket().writeTextMessage(ClientEvents.userText("please say something long enough to cost money"));
    spender.socket().writeTextMessage("{\"type\":\"response.create\"}");
    spender.nextEvent("response.done");
    for (RecordingClient client : new RecordingClient[] {spender, bystander}) {
      JsonObject error = client.nextEvent("error").getJsonObject("error");
      assertEquals("budget_exceeded", error.getString("type"));
      assertTrue(error.getString("message").contains("'capped'"), error.getString("message"));
      RecordingClient.Close close = client.awaitClose();
      assertEquals((short) 1008, close.code());
    }
    RelayFixture.Rejection refused = relay.expectRejection(options).await(10, TimeUnit.SECONDS);
    assertEquals(429, refused.status());
    assertEquals("budget_exceeded", refused.body().getJsonObject("error").getString("type"));
    assertTrue(refused.message().contains("max_budget 0.0001 USD"), refused.message());
    // The master key has no budget and is unaffected.
    relay.record("gpt-realtime")
        .await(10, TimeUnit.SECONDS).socket().close();
  }

  @Test
  void metricsShowSpendAndTokensPerAlias(Vertx vertx) throws Exception {
    var options = relay.options("gpt-realtime").addHeader("Authorization", "Bearer " + RelayFixture.MASTER_KEY);
    RecordingClient client = relay.record(options).await(10, TimeUnit.SECONDS);
    client.socket().writeTextMessage(ClientEvents.userText("hello"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    client.nextEvent("response.done");
    HttpClient http = vertx.createHttpClient();
    PrometheusSamples samples = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    // The bill is booked right after response.done is forwarded; poll rather than assume it is already there.
    while (System.nanoTime() < deadline) {
      samples = new PrometheusSamples(OnEventLoop.call(vertx, () -> http.request(HttpMethod.GET,
          relay.managementPort(), "127.0.0.1", "/metrics").compose(r -> r.send().compose(b -> b.body())))
          .await(5, TimeUnit.SECONDS).toString());
      if (samples.has("rtrelay_cost_usd_total", "model", "gpt-realtime")) {
        break;
      }
    }
    assertTrue(samples.value("rtrelay_cost_usd_total", "model", "gpt-realtime") > 0, samples.toString());
    assertTrue(samples.value("rtrelay_tokens_total", "model", "gpt-realtime", "kind", "output_text") > 0);
    assertEquals(1, samples.value("rtrelay_responses_billed_total", "model", "gpt-realtime", "priced", "true"));
    client.socket().close();
  }
}
