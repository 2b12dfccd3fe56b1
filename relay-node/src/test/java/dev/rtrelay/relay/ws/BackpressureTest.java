package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A slow reader on either side pushes back to the sender through the relay (the relay stops reading) instead of the
 * relay buffering without bound; once the reader catches up every frame arrives, in order. A sender that respects its
 * own write queue makes progress only while the relay keeps reading, so its progress stalling far below what it
 * offered is the observable proof of backpressure (without it, loopback absorbs the whole offer in about a second).
 */
@ExtendWith(VertxExtension.class)
class BackpressureTest {
  private static final int FRAME = 64 * 1024;
  private static final int FRAMES = 4096;
  private static final long OFFERED = (long) FRAME * FRAMES;
  /** Kernel socket buffers on both hops plus the relay's write queue stay far below this. */
  private static final long BOUND = 64L * 1024 * 1024;
  private RelayFixture relay;

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
  }

  /** Waits until {@code progress} stops moving (or reaches {@code done}) and returns where it stopped. */
  private static long awaitStall(LongSupplier progress, long done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long last = -1;
    while (System.nanoTime() < deadline) {
      long now = progress.getAsLong();
      if (now >= done || (now == last && now > 0)) {
        return now;
      }
      last = now;
      Thread.sleep(500);
    }
    throw new AssertionError("progress neither stalled nor completed within 30 s");
  }

  @Test
  void stalledUpstreamPushesBackToTheClient(Vertx vertx) throws Exception {
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    upstream.stall();
    relay = RelayFixture.start(vertx, TestConfigs.echo(upstream.baseUrl())).await(10, TimeUnit.SECONDS);
    WebSocket client = relay.connect("echo").await(10, TimeUnit.SECONDS);
    AtomicLong sent = new AtomicLong();
    vertx.runOnContext(v -> writeWhileDraining(client, 0, sent));
    long stalledAt = awaitStall(sent::get, OFFERED);
    assertTrue(stalledAt < BOUND, "client was still sending after " + stalledAt + " bytes to a stalled upstream");
    upstream.unstall();
    assertEquals(OFFERED, awaitStall(sent::get, OFFERED), "once the upstream reads again the client sends the rest");
  }

  private static void writeWhileDraining(WebSocket ws, int next, AtomicLong sent) {
    for (int i = next; i < FRAMES; i++) {
      ws.writeBinaryMessage(Buffer.buffer(new byte[FRAME]));
      sent.addAndGet(FRAME);
      if (ws.writeQueueFull()) {
        int resumeAt = i + 1;
        ws.drainHandler(v -> writeWhileDraining(ws, resumeAt, sent));
        return;
      }
    }
  }

  @Test
  void slowClientPushesBackToTheUpstreamAndLosesNothing(Vertx vertx) throws Exception {
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, TestConfigs.echo(upstream.baseUrl())).await(10, TimeUnit.SECONDS);
    RecordingClient client = relay.record("echo").await(10, TimeUnit.SECONDS);
    client.socket().pause();
    client.socket().writeTextMessage("flood:" + FRAMES + ":" + FRAME);
    long stalledAt = awaitStall(upstream::floodWritten, OFFERED);
    assertTrue(stalledAt < BOUND, "upstream was still sending after " + stalledAt + " bytes to a paused client");
    client.socket().resume();
    for (int i = 0; i < FRAMES; i++) {
      RecordingClient.Message m = client.next();
      assertEquals(FRAME, m.binary().length());
      assertEquals(i, m.binary().getInt(0), "frames in order, none lost");
    }
  }
}
