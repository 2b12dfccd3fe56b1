package dev.rtrelay.relay.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rtrelay.relay.kafka.CompactedTopic;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spend checkpoints in a compacted Kafka topic, one record per key ({@code {"window": ms, "spend": "usd"}}). Every relay
 * follows the topic and keeps the highest checkpoint per key. A change of spend is written as soon as a worker is free
 * (changes that arrive meanwhile are folded into one record per key), and only when it goes past what the topic holds,
 * so checkpoints only grow within a period, whichever relay wrote last; every {@link #RECHECK_MILLIS} a relay also
 * writes again what it saw that the topic does not hold yet (a lost send, or a lower checkpoint written after its own).
 * After a restart of every node, a key's spend resumes from its checkpoint; only checkpoints still in flight when every
 * node was killed at once are missing from it.
 */
public final class KafkaSpendLedger implements SpendLedger {
  static final long RECHECK_MILLIS = 5_000;
  private static final Logger LOG = LoggerFactory.getLogger(KafkaSpendLedger.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Checkpoint> inTopic;
  private final Map<String, Checkpoint> pending = new ConcurrentHashMap<>();
  /** The latest this relay saw per key: written again if the topic does not show it (recheck). */
  private final Map<String, Checkpoint> seen = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicBoolean flushing = new java.util.concurrent.atomic.AtomicBoolean();
  private final CompactedTopic topic;
  private final Vertx vertx;
  private final long timer;

  private KafkaSpendLedger(Vertx vertx, CompactedTopic topic, Map<String, Checkpoint> inTopic) {
    this.vertx = vertx;
    this.topic = topic;
    this.inTopic = inTopic;
    this.timer = vertx.setPeriodic(RECHECK_MILLIS, id -> recheck());
  }

  /** @param loadTimeout how long the first read may take (Kafka unreachable: the node does not start) */
  public static Future<KafkaSpendLedger> start(Vertx vertx, String bootstrap, String topic, Duration loadTimeout) {
    Map<String, Checkpoint> inTopic = new ConcurrentHashMap<>();
    return CompactedTopic.open(vertx, bootstrap, topic, r -> {
      Checkpoint read = decode(r.value());
      if (r.key() != null && read != null) {
        inTopic.merge(r.key(), read, (held, next) -> next.after(held) ? next : held);
      }
    }, loadTimeout).map(opened -> {
      LOG.info("spend checkpoints: {} key(s) from Kafka topic '{}'", inTopic.size(), topic);
      return new KafkaSpendLedger(vertx, opened, inTopic);
    });
  }

  @Override
  public Optional<Checkpoint> last(String keyId) {
    return Optional.ofNullable(inTopic.get(keyId));
  }

  @Override
  public void observed(String keyId, Checkpoint now) {
    pending.merge(keyId, now, (held, next) -> next.after(held) ? next : held);
    seen.merge(keyId, now, (held, next) -> next.after(held) ? next : held);
    flush();
  }

  /** What this relay saw and the topic does not show yet goes out again. */
  private void recheck() {
    seen.forEach((keyId, latest) -> {
      if (latest.after(inTopic.get(keyId))) {
        pending.merge(keyId, latest, (held, next) -> next.after(held) ? next : held);
      } else {
        seen.remove(keyId, latest);
      }
    });
    flush();
  }

  /**
   * Writes what went past the topic's checkpoints, on a worker (a send may wait on Kafka); one flush at a time, and
   * another right after it when changes came in meanwhile.
   */
  private void flush() {
    if (pending.isEmpty() || !flushing.compareAndSet(false, true)) {
      return;
    }
    vertx.executeBlocking(() -> {
      for (String keyId : pending.keySet()) {
        Checkpoint latest = pending.remove(keyId);
        if (latest != null && latest.after(inTopic.get(keyId))) {
          topic.send(keyId, encode(latest));
        }
      }
      return null;
    }, false).onComplete(done -> {
      if (done.failed()) {
        LOG.warn("spend checkpoints not written: {}", done.cause().toString());
      }
      flushing.set(false);
      flush();
    });
  }

  public void close() {
    vertx.cancelTimer(timer);
    // What is still pending, before the topic closes.
    pending.forEach((keyId, latest) -> {
      if (latest.after(inTopic.get(keyId))) {
        topic.send(keyId, encode(latest));
      }
    });
    topic.close();
  }

  static byte[] encode(Checkpoint checkpoint) {
    ObjectNode value = JSON.createObjectNode();
    if (checkpoint.window() != null) {
      value.put("window", checkpoint.window());
    }
    value.put("spend", checkpoint.spend().toPlainString());
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Checkpoint decode(byte[] value) {
    if (value == null) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(value);
      return new Checkpoint(node.hasNonNull("window") ? node.get("window").asLong() : null,
          new BigDecimal(node.path("spend").asText("0")));
    } catch (IOException | NumberFormatException e) {
      throw new IllegalArgumentException("not a spend checkpoint");
    }
  }
}
