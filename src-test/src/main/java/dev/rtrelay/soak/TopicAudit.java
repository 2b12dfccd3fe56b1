package dev.rtrelay.soak;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the events topic from the start, all through the run, as an operator's consumer would, and keeps per
 * session what the audit needs and no more (a 30-minute run writes millions of records): which {@code seq} arrived,
 * when each was made, how many arrived twice, and the {@code session.closed} record.
 */
final class TopicAudit implements AutoCloseable {
  /** One session's records, as far as they have arrived. */
  static final class SessionRecords {
    private long[] timestamps = new long[256];
    private final BitSet seen = new BitSet();
    private long duplicates;
    private long maxSeq = -1;
    private JsonObject closed;

    synchronized void add(long seq, long tsMicros, String kind, JsonObject record) {
      if (seq < 0 || seq > Integer.MAX_VALUE - 1) {
        return;
      }
      int i = (int) seq;
      if (seen.get(i)) {
        duplicates++;
        return;
      }
      seen.set(i);
      if (i >= timestamps.length) {
        timestamps = Arrays.copyOf(timestamps, Math.max(timestamps.length * 2, i + 1));
      }
      timestamps[i] = tsMicros;
      maxSeq = Math.max(maxSeq, seq);
      if ("session.closed".equals(kind)) {
        closed = record;
      }
    }

    synchronized JsonObject closed() {
      return closed;
    }

    synchronized long maxSeq() {
      return maxSeq;
    }

    synchronized long duplicates() {
      return duplicates;
    }

    synchronized boolean has(long seq) {
      return seen.get((int) seq);
    }

    synchronized long received() {
      return seen.cardinality();
    }

    /** When the nearest record before {@code seq} that did arrive was made (epoch µs), or -1. */
    synchronized long timestampBefore(long seq) {
      int i = seen.previousSetBit((int) seq - 1);
      return i < 0 ? -1 : timestamps[i];
    }

    /** When the nearest record after {@code seq} that did arrive was made (epoch µs), or -1. */
    synchronized long timestampAfter(long seq) {
      int i = seen.nextSetBit((int) seq + 1);
      return i < 0 ? -1 : timestamps[i];
    }
  }

  private final Map<String, SessionRecords> sessions = new ConcurrentHashMap<>();
  private final KafkaConsumer<String, String> consumer;
  private final Thread reader;
  private volatile long records;
  private volatile boolean stopping;

  TopicAudit(String bootstrap, String topic) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", "soak-" + java.util.UUID.randomUUID());
    props.put("auto.offset.reset", "earliest");
    props.put("enable.auto.commit", "false");
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", StringDeserializer.class.getName());
    consumer = new KafkaConsumer<>(props);
    consumer.subscribe(List.of(topic));
    reader = new Thread(this::read, "soak-topic-audit");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try {
      while (!stopping) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(250))) {
          records++;
          JsonObject record;
          try {
            record = new JsonObject(r.value());
          } catch (RuntimeException notJson) {
            continue;
          }
          String kind = record.getString("kind", "");
          sessions.computeIfAbsent(r.key(), k -> new SessionRecords()).add(record.getLong("seq", -1L),
              record.getLong("ts_us", 0L), kind, "session.closed".equals(kind) ? record : null);
        }
      }
    } catch (WakeupException closing) {
      // close() asked the poll to return
    } finally {
      consumer.close();
    }
  }

  long records() {
    return records;
  }

  SessionRecords session(String id) {
    return sessions.get(id);
  }

  /** Waits until each of {@code ids} has its {@code session.closed} record, or the time is up; true if all did. */
  boolean awaitClosed(Collection<String> ids, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = ids.stream().allMatch(id -> sessions.containsKey(id) && sessions.get(id).closed() != null);
      if (all) {
        return true;
      }
      Thread.sleep(250);
    }
    return false;
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    consumer.wakeup();
    reader.join(10_000);
  }
}
