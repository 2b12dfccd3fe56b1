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
}
