package dev.rtrelay.relay.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.PrometheusSamples;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TcpProxy;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Warm upstream connections on real sockets: hits and misses, a provider closing idle ones, refresh and drain. */
@ExtendWith(VertxExtension.class)
class WarmConnectionsTest {
  private static String config(String base, double maxAgeSeconds) {
    return """
        model_list:
          - model_name: voice
            litellm_params:
              model: openai/gpt-realtime
              api_key: sk-up
              api_base: "%s"
              warm_connections: 2
              warm_connection_max_age_seconds: %s
        general_settings: {master_key: %s}
        """.formatted(base, maxAgeSeconds, RelayFixture.MASTER_KEY);
  }

  private static void session(RelayFixture relay) throws Exception {
    RecordingClient client = relay.record("voice").await(10, TimeUnit.SECONDS);
    client.socket().writeTextMessage("{\"type\":\"ping\"}");
    client.next(); // echoed: the upgrade went through and the session relays
    client.socket().close().await(5, TimeUnit.SECONDS);
  }

  private static int port(FakeUpstream fake) {
    return Integer.parseInt(fake.baseUrl().substring(fake.baseUrl().lastIndexOf(':') + 1));
  }

  private static double metric(RelayFixture relay, String name) throws Exception {
    return relay.scrape().value(name);
  }

  /** Scrapes until the metric satisfies {@code condition} (a scrape that fails counts as not yet). */
  private static void awaitMetric(RelayFixture relay, String name, java.util.function.DoublePredicate condition,
      String what) throws InterruptedException {
    RecordingClient.await(() -> {
      try {
        return condition.test(metric(relay, name));
      } catch (Exception notYet) {
        return false;
      }
    }, what);
  }

  @Test
  void aSessionAfterTheFirstUpgradesOnAWarmConnectionAndAClosedOneIsNeverUsed(Vertx vertx) throws Exception {
    FakeUpstream fake = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    TcpProxy upstream = TcpProxy.start(vertx, port(fake)).await(10, TimeUnit.SECONDS);
    RelayFixture relay = RelayFixture.start(vertx, config("http://127.0.0.1:" + upstream.port(), 30), 1)
        .await(10, TimeUnit.SECONDS);
    try {
      session(relay); // a miss: dialled; then two warm connections are opened beside it
      RecordingClient.await(() -> upstream.unusedConnections() == 2, "two warm connections");
      assertEquals(3, upstream.connections());
      session(relay); // a hit: no new connection for the session itself
      assertEquals(2, fake.handshakes().size());
      RecordingClient.await(() -> upstream.connections() == 4 && upstream.unusedConnections() == 2,
          "the pool refilled: " + upstream.connections());
      PrometheusSamples m = relay.scrape();
      assertEquals(1, m.value("rtrelay_upstream_warm_hits_total"));
      assertEquals(1, m.value("rtrelay_upstream_warm_misses_total"));
      assertEquals(2, m.value("rtrelay_upstream_warm_connections"));
      assertEquals(1, m.value("rtrelay_upstream_warm_age_at_use_seconds_count"));

      upstream.closeUnusedConnections(); // the provider's idle timeout
      awaitMetric(relay, "rtrelay_upstream_warm_connections", v -> v == 0, "the pool noticing the closes");
      session(relay); // no stale connection is used: dialled, and the session works
      assertEquals(2, metric(relay, "rtrelay_upstream_warm_misses_total"));
      String text = relay.scrape().toString();
      assertEquals(false, text.lines().anyMatch(l -> l.startsWith("rtrelay_upstream_connect_failures_total{")
          && !l.endsWith(" 0.0")), "no failure was counted:\n" + text);
    } finally {
      relay.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void warmConnectionsAreReplacedAtTheirMaximumAgeWhileInUseAndDrainWhenNot(Vertx vertx) throws Exception {
    FakeUpstream fake = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    TcpProxy upstream = TcpProxy.start(vertx, port(fake)).await(10, TimeUnit.SECONDS);
    RelayFixture relay = RelayFixture.start(vertx, config("http://127.0.0.1:" + upstream.port(), 0.4), 1)
        .await(10, TimeUnit.SECONDS);
    try {
      session(relay);
      awaitMetric(relay, "rtrelay_upstream_warm_refreshed_total", v -> v >= 2, "connections replaced at 0.4 s");
      // No session for twice the maximum age: the pool is left to drain.
      RecordingClient.await(() -> upstream.unusedConnections() == 0, "the unused pool drained");
      int settled = upstream.connections();
      session(relay);
      RecordingClient.await(() -> upstream.unusedConnections() == 2, "refilled after the next session");
      assertEquals(settled + 3, upstream.connections(), "the session's own connection plus two warm ones");
    } finally {
      relay.close().await(10, TimeUnit.SECONDS);
    }
  }
}
