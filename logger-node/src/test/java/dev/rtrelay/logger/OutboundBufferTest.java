package dev.rtrelay.logger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The logger's outage buffer: bounded by count and bytes, oldest dropped first, drops counted, retries first. */
class OutboundBufferTest {
  @Test
  void overTheCountBoundTheOldestAreDroppedAndCounted() {
    OutboundBuffer buffer = new OutboundBuffer(3, Long.MAX_VALUE);
    for (int i = 0; i < 5; i++) {
      buffer.add("k", Buffer.buffer("v" + i));
    }
    assertEquals(3, buffer.size());
    assertEquals(2, buffer.dropped());
    assertEquals("v2", buffer.poll().value().toString());
  }

  @Test
  void overTheByteBoundTheOldestAreDropped() {
    OutboundBuffer buffer = new OutboundBuffer(1000, 30);
    for (int i = 0; i < 4; i++) {
      buffer.add("key", Buffer.buffer(new byte[7]));
    }
    assertEquals(3, buffer.size(), "3 x (3 + 7) bytes fit in 30");
    assertEquals(30, buffer.bytes());
    assertEquals(1, buffer.dropped());
  }

  @Test
  void aRetriedRecordGoesFirst() {
    OutboundBuffer buffer = new OutboundBuffer(10, Long.MAX_VALUE);
    buffer.add("k", Buffer.buffer("a"));
    buffer.add("k", Buffer.buffer("b"));
    OutboundBuffer.Entry first = buffer.poll();
    buffer.retry(first);
    assertEquals("a", buffer.poll().value().toString());
    assertEquals("b", buffer.poll().value().toString());
    assertEquals(0, buffer.bytes());
  }

  @Test
  void recordsThatFailTogetherAreRetriedInTheirOriginalOrder() {
    OutboundBuffer buffer = new OutboundBuffer(10, Long.MAX_VALUE);
    for (String v : new String[] {"a", "b", "c", "d"}) {
      buffer.add("k", Buffer.buffer(v));
    }
    OutboundBuffer.Entry a = buffer.poll();
    OutboundBuffer.Entry b = buffer.poll();
    OutboundBuffer.Entry c = buffer.poll();
    // Failures reported in send order, then one out of order: the retries still go a, b, c, then the unsent d.
    buffer.retry(a);
    buffer.retry(c);
    buffer.retry(b);
    StringBuilder order = new StringBuilder();
    for (OutboundBuffer.Entry e = buffer.poll(); e != null; e = buffer.poll()) {
      order.append(e.value());
    }
    assertEquals("abcd", order.toString());
    assertEquals(0, buffer.bytes());
  }

  @Test
  void overTheBoundTheOldestRetryIsDroppedFirst() {
    OutboundBuffer buffer = new OutboundBuffer(2, Long.MAX_VALUE);
    buffer.add("k", Buffer.buffer("a"));
    buffer.add("k", Buffer.buffer("b"));
    OutboundBuffer.Entry a = buffer.poll();
    buffer.add("k", Buffer.buffer("c"));
    buffer.retry(a);
    assertEquals(2, buffer.size());
    assertEquals(1, buffer.dropped());
    assertEquals("b", buffer.poll().value().toString());
    assertEquals("c", buffer.poll().value().toString());
  }
}
