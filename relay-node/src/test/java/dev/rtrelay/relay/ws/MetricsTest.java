package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.OnEventLoop;
import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.PrometheusSamples;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** /metrics after a scripted session: exact frame, byte and session counts, connect timing, failover and cooldown. */
@ExtendWith(VertxExtension.class)
class MetricsTest {
  private RelayFixture relay;
  private Vertx vertx;
  private HttpClient http;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    FakeUpstream echo = FakeUpstream.echo(vertx).await(5, TimeUnit.SECONDS);
    FakeUpstream down = FakeUpstream.rejecting(vertx, 503).await(5, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, """
        model_list:
          - model_name: voice
            litellm_params: {model: openai/m, api_key: sk-p, api_base: "%s", weight: 1000}
            model_info: {mode: realtime, id: down}
          - model_name: voice
            litellm_params: {model: openai/m, api_key: sk-p, api_base: "%s", weight: 0.001}
            model_info: {mode: realtime, id: up}
        router_settings:
          allowed_fails: 1
          cooldown_time: 60
        general_settings:
          master_key: %s
        """.formatted(down.baseUrl(), echo.baseUrl(), RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
    this.vertx = vertx;
    http = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
  }

  private PrometheusSamples scrape() throws Exception {
    return new PrometheusSamples(OnEventLoop.call(vertx, () -> http.request(HttpMethod.GET, relay.managementPort(),
        "127.0.0.1", "/metrics").compose(r -> r.send().compose(resp -> resp.body()))).await(5, TimeUnit.SECONDS)
        .toString());
  }

  @Test
  void aScriptedSessionIsCountedExactly() throws Exception {
    RecordingClient client = relay.record("voice").await(10, TimeUnit.SECONDS);
    long bytes = 0;
    for (int i = 0; i < 10; i++) {
      String text = "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + "A".repeat(i * 10) + "\"}";
      client.socket().writeTextMessage(text);
      bytes += text.length();
    }
    client.socket().writeBinaryMessage(Buffer.buffer(new byte[100]));
    bytes += 100;
    for (int i = 0; i < 11; i++) {
      client.next();
    }
    client.socket().close((short) 1000, "bye").await(5, TimeUnit.SECONDS);

    PrometheusSamples m = scrape();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    // The relay books the close when it sees it, which can trail the client's close future slightly.
    while (!m.has("rtrelay_sessions_closed_total") && System.nanoTime() < deadline) {
      m = scrape();
    }
    assertEquals(11, m.value("rtrelay_frames_total", "direction", "client_to_upstream"));
    assertEquals(11, m.value("rtrelay_frames_total", "direction", "upstream_to_client"));
    assertEquals(bytes, m.value("rtrelay_bytes_total", "direction", "client_to_upstream"));
    assertEquals(bytes, m.value("rtrelay_bytes_total", "direction", "upstream_to_client"));
    assertEquals(1, m.value("rtrelay_sessions_opened_total", "model", "voice", "deployment", "up"));
    assertEquals(1, m.value("rtrelay_sessions_closed_total", "model", "voice", "closed_by", "client", "code",
        "1000"));
    assertEquals(0, m.value("rtrelay_sessions_live", "model", "voice", "deployment", "up"));
    assertEquals(1, m.value("rtrelay_upstream_connect_seconds_count", "deployment", "up"));
    assertEquals(1, m.value("rtrelay_upstream_connect_failures_total", "deployment", "down", "reason", "http_5xx"));
    assertEquals(1, m.value("rtrelay_failovers_total", "model", "voice"));
    assertEquals(1, m.value("rtrelay_cooldowns_total", "deployment", "down"));
    assertTrue(m.has("rtrelay_frame_forward_seconds_bucket"), "forwarding time histogram");
    assertFalse(m.toString().matches("(?s).*rs_[0-9a-f]{32}.*"), "no session ids in labels");
    assertFalse(m.toString().contains(RelayFixture.MASTER_KEY));
  }
}
