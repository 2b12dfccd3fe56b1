package dev.rtrelay.relay.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.events.EventBatch;
import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A relay that stops (SIGTERM, drain) closes its Vert.x instance right after; clustered, the event bus connections to
 * the loggers go with it. So the node's stop must not complete before the loggers acknowledged the last batches,
 * which hold the closed sessions' {@code session.closed} records, and must not hang on a logger that never answers.
 */
@ExtendWith(VertxExtension.class)
class ShutdownFlushTest {

  /** A publishing relay with one session open through it, which the node's stop will close. */
  private static RelayFixture relayWithALiveSession(Vertx vertx) throws Exception {
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    RelayFixture relay = RelayFixture.startPublishing(vertx, TestConfigs.echo(upstream.baseUrl()))
        .await(10, TimeUnit.SECONDS);
    RecordingClient client = relay.record("echo").await(10, TimeUnit.SECONDS);
    client.socket().writeTextMessage("{\"type\":\"ping\"}");
    client.next();
    return relay;
  }

  @Test
  void stoppingANodeWaitsUntilALoggerAcknowledgedTheSessionClosedRecords(Vertx vertx) throws Exception {
    AtomicBoolean closedAcknowledged = new AtomicBoolean();
    // A logger that takes 300 ms to answer (busy, or across the network).
    vertx.eventBus().<Buffer>consumer(EventBatch.ADDRESS, m -> {
      AtomicBoolean holdsClosed = new AtomicBoolean();
      EventBatch.forEach(m.body(), (key, value) -> {
        if ("session.closed".equals(value.toJsonObject().getString("kind"))) {
          holdsClosed.set(true);
        }
      });
      vertx.setTimer(300, id -> {
        if (holdsClosed.get()) {
          closedAcknowledged.set(true);
        }
        m.reply(null);
      });
    }).completion().await(5, TimeUnit.SECONDS);
    RelayFixture relay = relayWithALiveSession(vertx);

    relay.close().await(15, TimeUnit.SECONDS);

    assertTrue(closedAcknowledged.get(), "the node stopped before a logger acknowledged its session.closed record");
    assertEquals(0, relay.node().eventStats().droppedCount());
  }

  @Test
  void aLoggerThatNeverAnswersDelaysTheStopByTwoAcknowledgementTimeoutsAndTheRecordsAreCounted(Vertx vertx)
      throws Exception {
    AtomicInteger batches = new AtomicInteger();
    vertx.eventBus().<Buffer>consumer(EventBatch.ADDRESS, m -> batches.incrementAndGet())
        .completion().await(5, TimeUnit.SECONDS);
    RelayFixture relay = relayWithALiveSession(vertx);

    long started = System.nanoTime();
    relay.close().await(15, TimeUnit.SECONDS);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertTrue(batches.get() > 0);
    assertTrue(tookMillis < 10_000, "the stop is bounded: " + tookMillis + " ms");
    EventStats stats = relay.node().eventStats();
    assertEquals(stats.acceptedCount(), stats.droppedUndeliveredCount(), "every unacknowledged record is counted");
  }
}
