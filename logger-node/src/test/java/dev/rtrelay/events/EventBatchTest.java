package dev.rtrelay.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relay-to-logger wire format: records come out as they went in, and damage is detected. */
class EventBatchTest {
  @Test
  void recordsRoundTripInOrderIncludingUnicodeKeysAndEmptyValues() {
    EventBatch.Builder builder = new EventBatch.Builder();
    builder.add("rs_1", "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    builder.add("rs_ü", new byte[0]);
    builder.add("rs_1", "{\"line\":\"with\\nnewline\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(3, builder.count());
    Buffer batch = builder.take();
    assertEquals(0, builder.count(), "take() starts a fresh batch");
    List<String> seen = new ArrayList<>();
    assertEquals(3, EventBatch.forEach(batch, (k, v) -> seen.add(k + "=" + v.toString(StandardCharsets.UTF_8))));
    assertEquals(List.of("rs_1={\"a\":1}", "rs_ü=", "rs_1={\"line\":\"with\\nnewline\"}"), seen);
  }

  @Test
  void truncatedOrForeignBuffersAreRejected() {
    EventBatch.Builder builder = new EventBatch.Builder();
    builder.add("rs_1", "{}".getBytes(StandardCharsets.UTF_8));
    Buffer batch = builder.take();
    assertThrows(IllegalArgumentException.class, () -> EventBatch.forEach(Buffer.buffer("{\"json\":true}"), (k, v) -> {
    }));
    assertThrows(RuntimeException.class, () -> EventBatch.forEach(batch.getBuffer(0, batch.length() - 1), (k, v) -> {
    }));
    assertThrows(IllegalArgumentException.class,
        () -> EventBatch.forEach(batch.copy().appendByte((byte) 0), (k, v) -> { }));
  }

  @Test
  void aBatchWhoseLengthsRunPastItsEndIsRefusedWholeBeforeAnyRecordIsDelivered() {
    EventBatch.Builder builder = new EventBatch.Builder();
    builder.add("rs_1", "{\"seq\":1}".getBytes(StandardCharsets.UTF_8));
    builder.add("rs_1", "{\"seq\":2}".getBytes(StandardCharsets.UTF_8));
    Buffer good = builder.take();
    List<Buffer> damaged = List.of(
        good.copy().setInt(1, 3), // one more record declared than sent
        good.copy().setInt(1, -1),
        good.copy().setInt(good.length() - 4 - 9, 1 << 20), // second value's length past the end
        good.copy().setInt(good.length() - 4 - 9, -5),
        good.copy().setUnsignedShort(5 + 2 + 4 + 4 + 9, 60_000)); // second key's length past the end
    for (Buffer batch : damaged) {
      List<String> delivered = new ArrayList<>();
      assertThrows(IllegalArgumentException.class, () -> EventBatch.forEach(batch, (k, v) -> delivered.add(k)));
      assertEquals(List.of(), delivered, "nothing of a refused batch is delivered");
    }
  }
}
