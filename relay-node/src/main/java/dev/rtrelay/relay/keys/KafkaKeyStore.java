package dev.rtrelay.relay.keys;

import dev.rtrelay.relay.kafka.CompactedTopic;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runtime keys and teams in a compacted Kafka topic ({@link CompactedTopic}: one partition, one order for every
 * change). A node reads the topic whole before it serves and then follows it, so a change made on any node is in force
 * on every node within a poll, and a node needs nothing but Kafka to recover its keys. Every change, this node's own
 * included, is applied in the topic's order; a write completes once it is applied here.
 */
public final class KafkaKeyStore implements KeyStore {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaKeyStore.class);

  private final RuntimeKeys keys;
  private final CompactedTopic topic;

  private KafkaKeyStore(RuntimeKeys keys, CompactedTopic topic) {
    this.keys = keys;
    this.topic = topic;
  }

  /** @param loadTimeout how long the first read may take (Kafka unreachable: the node does not start) */
  public static Future<KafkaKeyStore> start(Vertx vertx, String bootstrap, String topic, Duration loadTimeout) {
    RuntimeKeys keys = new RuntimeKeys();
    return CompactedTopic.open(vertx, bootstrap, topic, r -> keys.apply(KeyRecords.decode(r.key(), r.value())),
        loadTimeout).map(opened -> {
          LOG.info("key store: {} key(s) and {} team(s) from Kafka topic '{}'", keys.keys().size(),
              keys.teams().size(), topic);
          return new KafkaKeyStore(keys, opened);
        });
  }

  @Override
  public RuntimeKeys keys() {
    return keys;
  }

  @Override
  public boolean durable() {
    return true;
  }

  @Override
  public Future<Void> write(KeyChange change) {
    return topic.write(change.recordKey(), KeyRecords.encode(change));
  }

  @Override
  public void close() {
    topic.close();
  }
}
