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
 * follows the topic and keeps the highest checkpoint per key; every {@link #FLUSH_MILLIS} it writes, from a worker,
 * the keys whose spend went past what the topic holds. Checkpoints only grow within a period, whichever relay wrote
 * last: a relay that sees a lower one than its own writes again. After a restart of every node, a key's spend resumes
 * from its checkpoint; what was spent in the last flush interval before the restart is not in it.
 */
public final class KafkaSpendLedger implements SpendLedger {
  static final long FLUSH_MILLIS = 2_000;
  private static final Logger LOG = LoggerFactory.getLogger(KafkaSpendLedger.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Checkpoint> inTopic;
  private final Map<String, Checkpoint> pending = new ConcurrentHashMap<>();
  private final CompactedTopic topic;
  private final Vertx vertx;
  private final long timer;

  private KafkaSpendLedger(Vertx vertx, CompactedTopic topic, Map<String, Checkpoint> inTopic) {
    this.vertx = vertx;
    this.topic = topic;
    this.inTopic = inTopic;
    this.timer = vertx.setPeriodic(FLUSH_MILLIS, id -> flush());
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
  }

  /** Writes what went past the topic's checkpoints; sending may wait on Kafka, so it runs on a worker. */
  private void flush() {
    if (pending.isEmpty()) {
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
    }, false).onFailure(e -> LOG.warn("spend checkpoints not written: {}", e.toString()));
  }

  public void close() {
    vertx.cancelTimer(timer);
    // The last interval's spend, before the topic closes.
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
