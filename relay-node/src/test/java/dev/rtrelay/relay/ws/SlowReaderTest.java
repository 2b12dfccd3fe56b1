package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.OnEventLoop;
import dev.rtrelay.relay.support.PrometheusSamples;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A side that stops reading holds the whole session up (the relay pauses the other side rather than buffer without
 * bound). After {@code write_stall_timeout_seconds} the session ends, booked as closed by the relay with a reason
 * that names the side that stopped reading, never blamed on the side that was kept waiting: a provider streaming to
 * a client that stopped reading is not "silent", though the relay read nothing from it.
 */
@ExtendWith(VertxExtension.class)
class SlowReaderTest {
  private static final int FRAME = 64 * 1024;
  private RelayFixture relay;

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
  }

  private FakeUpstream start(Vertx vertx, String relaySettings) throws Exception {
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, TestConfigs.echo(upstream.baseUrl()).replace("relay_settings:\n",
        "relay_settings:\n" + relaySettings)).await(10, TimeUnit.SECONDS);
    return upstream;
  }

  private PrometheusSamples closedSessions(Vertx vertx, String closedBy, String code) throws Exception {
    HttpClient http = vertx.createHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    PrometheusSamples samples;
    do {
      samples = new PrometheusSamples(OnEventLoop.call(vertx, () -> http.request(HttpMethod.GET,
          relay.managementPort(), "127.0.0.1", "/metrics").compose(r -> r.send().compose(resp -> resp.body())))
          .await(5, TimeUnit.SECONDS).toString());
    } while (!samples.has("rtrelay_sessions_closed_total") && System.nanoTime() < deadline);
    http.close();
    return samples;
  }

  @Test
  void aClientThatStopsReadingIsNamedAndTheProviderIsNotCalledSilent(Vertx vertx) throws Exception {
    // The idle timeout (1 s) is shorter than the write-stall timeout (2 s): the provider, streaming all along but
    // unread by the paused relay, must not be closed as silent first.
    FakeUpstream upstream = start(vertx, "  ping_interval_seconds: 0\n  idle_timeout_seconds: 1\n"
        + "  write_stall_timeout_seconds: 2\n");
    RecordingClient client = relay.record("echo").await(10, TimeUnit.SECONDS);
    client.socket().pause();
    client.socket().writeTextMessage("flood:100000:" + FRAME);
    // The client keeps talking (a microphone streaming) while it reads nothing: it is not silent.
    long talking = vertx.setPeriodic(200, id -> {
      if (!client.socket().isClosed()) {
        client.socket().writeTextMessage("{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAAA\"}");
      }
    });

    short code = upstream.firstCloseCode().await(15, TimeUnit.SECONDS);
    vertx.cancelTimer(talking);
    String reason = upstream.firstCloseReason().await(1, TimeUnit.SECONDS);
    assertEquals((short) 1001, code, reason);
    assertTrue(reason.startsWith("client not reading"), reason);
    PrometheusSamples closed = closedSessions(vertx, "relay", "1008");
    assertEquals(1, closed.value("rtrelay_sessions_closed_total", "model", "echo", "closed_by", "relay", "code",
        "1008"), closed.toString());
  }

  @Test
  void aProviderThatStopsReadingIsNamedToTheClient(Vertx vertx) throws Exception {
    FakeUpstream upstream = start(vertx, "  ping_interval_seconds: 0\n  idle_timeout_seconds: 60\n"
        + "  write_stall_timeout_seconds: 1\n");
    upstream.stall();
    RecordingClient client = relay.record("echo").await(10, TimeUnit.SECONDS);
    vertx.runOnContext(v -> writeWhileDraining(client.socket(), 0));

    RecordingClient.Close close = client.awaitClose();
    assertEquals((short) 1011, close.code());
    assertTrue(close.reason().startsWith("upstream not reading"), close.reason());
    PrometheusSamples closed = closedSessions(vertx, "relay", "1011");
    assertEquals(1, closed.value("rtrelay_sessions_closed_total", "model", "echo", "closed_by", "relay", "code",
        "1011"), closed.toString());
  }

  /** Sends as fast as the relay reads, until the socket closes. */
  private static void writeWhileDraining(WebSocket ws, int sent) {
    for (int i = sent; i < 100_000 && !ws.isClosed(); i++) {
      ws.writeBinaryMessage(Buffer.buffer(new byte[FRAME]));
      if (ws.writeQueueFull()) {
        int next = i + 1;
        ws.drainHandler(v -> writeWhileDraining(ws, next));
        return;
      }
    }
  }
}
