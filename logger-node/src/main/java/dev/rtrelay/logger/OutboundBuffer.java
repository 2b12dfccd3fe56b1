package dev.rtrelay.logger;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * Records waiting for Kafka, bounded by count and bytes. When full, the <em>oldest</em> records are dropped and
 * counted: during an outage the newest events are the most useful, and the relays never feel the pressure. Used from
 * the logger verticle's event loop only.
 *
 * <p>Records whose send failed come back in whatever order their failures arrive; they wait apart, ordered by when
 * they were first added, and go out before anything newer. So a session's records are retried in their original
 * order, never reversed (every record that was sent is older than every record still queued, since sending takes the
 * oldest).
 */
final class OutboundBuffer {
  /** One Kafka record: key = session id, value = envelope JSON; {@code order} = when it was added. */
  record Entry(String key, Buffer value, long order) {
    long size() {
      return key.length() + (long) value.length();
    }
  }

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final PriorityQueue<Entry> retries = new PriorityQueue<>(Comparator.comparingLong(Entry::order));
  private long added;
  private final int maxEvents;
  private final long maxBytes;
  private long bytes;
  private long dropped;

  OutboundBuffer(int maxEvents, long maxBytes) {
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
  }

  void add(String key, Buffer value) {
    Entry entry = new Entry(key, value, added++);
    entries.addLast(entry);
    bytes += entry.size();
    dropOverBounds();
  }

  /** Puts back a record whose send failed: it goes out again before newer ones, in the order it was first added. */
  void retry(Entry entry) {
    retries.add(entry);
    bytes += entry.size();
    dropOverBounds();
  }

  /** The oldest record waiting, or null. */
  Entry poll() {
    Entry entry = retries.isEmpty() ? entries.pollFirst() : retries.poll();
    if (entry != null) {
      bytes -= entry.size();
    }
    return entry;
  }

  private void dropOverBounds() {
    while (size() > maxEvents || bytes > maxBytes) {
      poll();
      dropped++;
    }
  }

  boolean isEmpty() {
    return entries.isEmpty() && retries.isEmpty();
  }

  int size() {
    return entries.size() + retries.size();
  }

  long bytes() {
    return bytes;
  }

  long dropped() {
    return dropped;
  }
}
