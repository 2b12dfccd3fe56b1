package dev.rtrelay.logger;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;

/**
 * Records waiting for Kafka, bounded by count and bytes. When full, the <em>oldest</em> records are dropped and
 * counted: during an outage the newest events are the most useful, and the relays never feel the pressure. Used from
 * the logger verticle's event loop only.
 */
final class OutboundBuffer {
  /** One Kafka record: key = session id, value = envelope JSON. */
  record Entry(String key, Buffer value) {
    long size() {
      return key.length() + (long) value.length();
    }
  }

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final int maxEvents;
  private final long maxBytes;
  private long bytes;
  private long dropped;

  OutboundBuffer(int maxEvents, long maxBytes) {
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
  }

  void add(String key, Buffer value) {
    Entry entry = new Entry(key, value);
    entries.addLast(entry);
    bytes += entry.size();
    while (entries.size() > maxEvents || bytes > maxBytes) {
      Entry oldest = entries.pollFirst();
      bytes -= oldest.size();
      dropped++;
    }
  }

  /** Puts back a record whose send failed, ahead of newer ones, so it is retried first. */
  void retry(Entry entry) {
    entries.addFirst(entry);
    bytes += entry.size();
    while (entries.size() > maxEvents || bytes > maxBytes) {
      Entry oldest = entries.pollFirst();
      bytes -= oldest.size();
      dropped++;
    }
  }

  Entry poll() {
    Entry entry = entries.pollFirst();
    if (entry != null) {
      bytes -= entry.size();
    }
    return entry;
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  int size() {
    return entries.size();
  }

  long bytes() {
    return bytes;
  }

  long dropped() {
    return dropped;
  }
}
