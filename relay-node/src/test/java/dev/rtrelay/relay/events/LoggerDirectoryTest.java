package dev.rtrelay.relay.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.events.EventBatch;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which logger gets the next batch, on a clock the test moves. */
class LoggerDirectoryTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final LoggerDirectory directory = new LoggerDirectory(now::get);
  private final String a = EventBatch.loggerAddress("a");
  private final String b = EventBatch.loggerAddress("b");

  private void heard(String address, boolean up) {
    directory.heard(new JsonObject().put("address", address).put("up", up));
  }

  @Test
  void withNoLoggerHeardBatchesGoToTheSharedAddress() {
    assertEquals(EventBatch.ADDRESS, directory.pick());
    heard("somewhere.else", true); // not a logger's address: ignored
    assertEquals(EventBatch.ADDRESS, directory.pick());
  }

  @Test
  void batchesAlternateBetweenTheLoggersHeardFrom() {
    heard(a, true);
    heard(b, true);
    assertEquals(List.of(a, b, a, b), List.of(directory.pick(), directory.pick(), directory.pick(), directory.pick()));
  }

  @Test
  void aLoggerWhoseHeartbeatsStopIsLeftOutAfterThreeSeconds() {
    heard(a, true);
    heard(b, true);
    now.addAndGet(LoggerDirectory.FORGET_AFTER_MILLIS);
    heard(a, true);
    assertEquals(2, directory.availableCount(), "exactly three seconds: still counted");
    now.addAndGet(1);
    assertEquals(List.of(a), directory.available(), "b froze: its heartbeats stopped");
    heard(b, true);
    assertEquals(List.of(a, b), directory.available(), "b resumed");
  }

  @Test
  void aLoggerThatDidNotAcknowledgeIsSetAsideForTenSeconds() {
    heard(a, true);
    heard(b, true);
    assertTrue(directory.notAcknowledged(b), "a can take the batch");
    assertTrue(directory.notAcknowledged(b), "a second timeout of the same freeze");
    assertEquals(1, directory.setAsideCount());
    for (int i = 0; i < 4; i++) {
      assertEquals(a, directory.pick());
    }
    now.addAndGet(LoggerDirectory.SET_ASIDE_MILLIS);
    heard(a, true);
    heard(b, true);
    assertEquals(List.of(a, b), directory.available(), "tried again after ten seconds");
    assertTrue(directory.notAcknowledged(a));
    assertFalse(directory.notAcknowledged(b), "both set aside: nobody to send to now");
    assertEquals(EventBatch.ADDRESS, directory.pick());
  }

  @Test
  void aLoggerThatStopsOrIsGoneIsForgotten() {
    heard(a, true);
    heard(b, true);
    heard(b, false);
    assertEquals(List.of(a), directory.available());
    assertFalse(directory.gone(a));
    assertEquals(EventBatch.ADDRESS, directory.pick());
  }
}
