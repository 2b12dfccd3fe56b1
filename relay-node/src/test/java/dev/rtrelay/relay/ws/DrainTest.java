package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.OnEventLoop;
import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Graceful shutdown: readiness flips, new sessions get 503, live ones go on until they end or the limit passes. */
@ExtendWith(VertxExtension.class)
class DrainTest {
  private FakeUpstream upstream;
  private RelayFixture relay;
  private Vertx vertx;
  private HttpClient http;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    upstream = FakeUpstream.echo(vertx).await(5, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, TestConfigs.echo(upstream.baseUrl()))
        .await(10, TimeUnit.SECONDS);
    this.vertx = vertx;
    http = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    // The drain already stopped the node; closing it again may fail, which is not what these tests are about.
    relay.close().otherwiseEmpty().await(10, TimeUnit.SECONDS);
  }

  private JsonObject readiness(int expectedStatus) throws Exception {
    return OnEventLoop.call(vertx, () -> http.request(HttpMethod.GET, relay.managementPort(), "127.0.0.1",
            "/health/readiness")
        .compose(r -> r.send().compose(resp -> resp.body().map(b -> {
          assertEquals(expectedStatus, resp.statusCode(), b.toString());
          return new JsonObject(b);
        })))).await(5, TimeUnit.SECONDS);
  }

  private static void echoes(RecordingClient client, int count, String tag) throws Exception {
    for (int i = 0; i < count; i++) {
      client.socket().writeTextMessage("{\"type\":\"" + tag + "\",\"n\":" + i + "}");
    }
    for (int i = 0; i < count; i++) {
      JsonObject e = client.next().json();
      assertEquals(tag, e.getString("type"));
      assertEquals(i, e.getInteger("n"), "in order, none lost");
    }
  }

  @Test
  void liveSessionsFinishWhileNewOnesAreRefusedAndTheDrainEndsWithTheLastSession() throws Exception {
    RecordingClient live = relay.record("echo").await(5, TimeUnit.SECONDS);
    echoes(live, 20, "before");
    assertEquals("ready", readiness(200).getString("status"));

    Future<Void> drained = relay.node().drain(Duration.ofSeconds(60));
    JsonObject draining = readiness(503);
    assertEquals("draining", draining.getString("status"));
    assertEquals(1, draining.getInteger("live_sessions"));
    RelayFixture.Rejection refused = relay.expectRejection(relay.options("echo")
        .addHeader("Authorization", "Bearer " + RelayFixture.MASTER_KEY)).await(5, TimeUnit.SECONDS);
    assertEquals(503, refused.status());
    assertTrue(refused.message().contains("shutting down"), refused.message());

    echoes(live, 50, "during");
    assertFalse(drained.isComplete(), "the drain waits for the live session");
    live.socket().close((short) 1000, "done").await(5, TimeUnit.SECONDS);
    drained.await(10, TimeUnit.SECONDS);
  }

  @Test
  void sessionsStillOpenAtTheLimitAreClosedWith1001() throws Exception {
    RecordingClient live = relay.record("echo").await(5, TimeUnit.SECONDS);
    echoes(live, 10, "before");
    relay.node().drain(Duration.ofMillis(300)).await(10, TimeUnit.SECONDS);
    RecordingClient.Close close = live.awaitClose();
    assertEquals((short) 1001, close.code(), "clients reconnect on 1001");
    assertEquals((short) 1001, upstream.firstCloseCode().await(5, TimeUnit.SECONDS));
  }
}
