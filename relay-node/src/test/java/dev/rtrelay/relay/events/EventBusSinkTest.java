package dev.rtrelay.relay.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.events.EventBatch;
import dev.rtrelay.relay.config.LoggedEventTypes;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import dev.rtrelay.relay.support.RecordingClient;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The relay-side batcher on a real (local) event bus: delivery, order, and bounded drops when nobody answers. */
@ExtendWith(VertxExtension.class)
class EventBusSinkTest {
  private static final EventLogSettings SMALL =
      new EventLogSettings(LoggedEventTypes.DEFAULT, false, 100, 1 << 20, 64 * 1024, 10, 64 * 1024, 10, 2, 500);

  private static <T> T on(Vertx vertx, java.util.concurrent.Callable<T> action) throws Exception {
    Promise<T> result = Promise.promise();
    vertx.runOnContext(v -> {
      try {
        result.complete(action.call());
      } catch (Exception e) {
        result.fail(e);
      }
    });
    return result.future().await(10, TimeUnit.SECONDS);
  }

  @Test
  void recordsReachTheLoggerAddressInOrderInBatches(Vertx vertx) throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    Promise<Void> all = Promise.promise();
    vertx.eventBus().<Buffer>consumer(EventBatch.ADDRESS, m -> {
      EventBatch.forEach(m.body(), (key, value) -> received.add(key + ":" + value.toString()));
      m.reply(null);
      if (received.size() == 25) {
        all.complete();
      }
    }).completion().await(5, TimeUnit.SECONDS);
    EventStats stats = new EventStats();
    on(vertx, () -> {
      EventBusSink sink = new EventBusSink(vertx, SMALL, stats);
      sink.start();
      for (int i = 0; i < 25; i++) {
        assertTrue(sink.offer("s" + (i % 2), ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
      }
      return null;
    });
    all.future().await(10, TimeUnit.SECONDS);
    for (int i = 0; i < 25; i++) {
      assertEquals("s" + (i % 2) + ":{\"n\":" + i + "}", received.get(i));
    }
    assertEquals(25, stats.acceptedCount());
  }

  @Test
  void batchesNoLoggerTookAreSentAgainOnceOneIsThereAndNothingIsLost(Vertx vertx) throws Exception {
    EventStats stats = new EventStats();
    on(vertx, () -> {
      EventBusSink sink = new EventBusSink(vertx, SMALL, stats);
      sink.start();
      for (int i = 0; i < 25; i++) {
        assertTrue(sink.offer("s", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
      }
      return null;
    });
    RecordingClient.await(() -> stats.resentCount() > 0, "a batch sent to nobody");
    // A logger comes up (started late, or restarted after a crash).
    Set<String> received = ConcurrentHashMap.newKeySet();
    vertx.eventBus().<Buffer>consumer(EventBatch.ADDRESS, m -> {
      EventBatch.forEach(m.body(), (key, value) -> received.add(value.toString()));
      m.reply(null);
    }).completion().await(5, TimeUnit.SECONDS);
    RecordingClient.await(() -> stats.deliveredCount() == 25, "every record delivered");
    assertEquals(25, received.size());
    assertEquals(0, stats.droppedCount());
  }

  @Test
  void aBatchALoggerDidNotAcknowledgeInTimeIsSentAgain(Vertx vertx) throws Exception {
    AtomicInteger deliveries = new AtomicInteger();
    List<String> acknowledged = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Buffer>consumer(EventBatch.ADDRESS, m -> {
      if (deliveries.incrementAndGet() == 1) {
        return; // a logger killed before it answered: no reply, the request times out
      }
      EventBatch.forEach(m.body(), (key, value) -> acknowledged.add(value.toString()));
      m.reply(null);
    }).completion().await(5, TimeUnit.SECONDS);
    EventStats stats = new EventStats();
    on(vertx, () -> {
      EventBusSink sink = new EventBusSink(vertx, SMALL, stats);
      sink.start();
      for (int i = 0; i < 5; i++) {
        sink.offer("s", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
      }
      return null;
    });
    RecordingClient.await(() -> stats.deliveredCount() == 5, "the batch delivered on its second attempt");
    assertEquals(List.of("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}"), acknowledged);
    assertEquals(1, stats.resentCount());
    assertEquals(0, stats.droppedCount());
  }

  @Test
  void aLoggerThatStopsAcknowledgingIsSetAsideAndItsBatchesGoToTheOtherAtOnce(Vertx vertx) throws Exception {
    LoggerDirectory directory = LoggerDirectory.start(vertx).await(5, TimeUnit.SECONDS);
    String healthy = EventBatch.loggerAddress("healthy");
    String frozen = EventBatch.loggerAddress("frozen");
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger frozenBatches = new AtomicInteger();
    vertx.eventBus().<Buffer>consumer(healthy, m -> {
      EventBatch.forEach(m.body(), (key, value) -> acknowledged.add(value.toString()));
      m.reply(null);
    }).completion().await(5, TimeUnit.SECONDS);
    // Still announcing itself (an overloaded or half-frozen logger), but it never answers a batch.
    vertx.eventBus().<Buffer>consumer(frozen, m -> frozenBatches.incrementAndGet()).completion()
        .await(5, TimeUnit.SECONDS);
    long heartbeats = vertx.setPeriodic(0, 200, id -> {
      vertx.eventBus().publish(EventBatch.LOGGERS_ADDRESS, new JsonObject().put("address", healthy).put("up", true));
      vertx.eventBus().publish(EventBatch.LOGGERS_ADDRESS, new JsonObject().put("address", frozen).put("up", true));
    });
    try {
      RecordingClient.await(() -> directory.availableCount() == 2, "both loggers heard");
      EventStats stats = new EventStats();
      on(vertx, () -> {
        EventBusSink sink = new EventBusSink(vertx, SMALL, stats, directory);
        sink.start();
        for (int i = 0; i < 60; i++) {
          assertTrue(sink.offer("s", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return null;
      });
      RecordingClient.await(() -> stats.deliveredCount() == 60, "every record acknowledged by the healthy logger");
      assertEquals(60, acknowledged.size());
      assertTrue(frozenBatches.get() >= 1 && frozenBatches.get() <= SMALL.maxInFlightBatches(),
          "the frozen logger got its first batches only, then none: " + frozenBatches.get());
      assertEquals(1, directory.setAsideCount());
      assertEquals(List.of(healthy), directory.available());
      assertEquals(frozenBatches.get(), stats.resentCount(), "each batch it held was sent to the other logger");
      assertEquals(0, stats.droppedCount());
    } finally {
      vertx.cancelTimer(heartbeats);
      directory.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void largeRecordsAreBoundedByBytesNotOnlyByCount(Vertx vertx) throws Exception {
    // A consumer that never answers, and a buffer of 1,000 records but only 1 MiB.
    vertx.eventBus().<Buffer>consumer(EventBatch.ADDRESS, m -> { }).completion().await(5, TimeUnit.SECONDS);
    EventLogSettings bytesBound = new EventLogSettings(LoggedEventTypes.DEFAULT, false, 1000, 1 << 20, 64 * 1024, 10,
        64 * 1024, 10, 2, 500);
    EventStats stats = new EventStats();
    byte[] record = new byte[100 * 1024];
    int accepted = on(vertx, () -> {
      EventBusSink sink = new EventBusSink(vertx, bytesBound, stats);
      int ok = 0;
      for (int i = 0; i < 50; i++) {
        if (sink.offer("s", record)) {
          ok++;
        }
      }
      return ok;
    });
    assertEquals(10, accepted, "1 MiB holds ten 100 KiB records");
    assertEquals(40, stats.droppedBufferFullCount());
  }

  @Test
  void withNoLoggerTheBufferStaysBoundedAndDropsAreCounted(Vertx vertx) throws Exception {
    // A consumer that never answers: every batch stays unacknowledged until its timeout.
    vertx.eventBus().<Buffer>consumer(EventBatch.ADDRESS, m -> { }).completion().await(5, TimeUnit.SECONDS);
    EventStats stats = new EventStats();
    int accepted = on(vertx, () -> {
      EventBusSink sink = new EventBusSink(vertx, SMALL, stats);
      int ok = 0;
      for (int i = 0; i < 1000; i++) {
        if (sink.offer("s", "{}".getBytes(StandardCharsets.UTF_8))) {
          ok++;
        }
      }
      return ok;
    });
    assertEquals(SMALL.maxBufferedEvents(), accepted, "never more than the bound waiting");
    assertEquals(1000 - accepted, stats.droppedBufferFullCount());
    assertFalse(stats.droppedCount() == 0);
  }
}
