package dev.rtrelay.relay.keys;

import dev.rtrelay.relay.http.RelayException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runtime keys and teams in a compacted Kafka topic (one partition: one order for every change). At start a node
 * reads the topic from the beginning before it serves; then a thread of its own follows the topic, so a change made on
 * any node is in force on every node within a poll (a quarter of a second). A node needs nothing but Kafka to recover
 * its keys.
 *
 * <p>Every change, this node's own included, is applied by the follower in the topic's order; a write completes once
 * the follower has applied it, so the management API answers with the state every node will reach. Nothing here is
 * on the audio path: sessions read the keys already in memory.
 */
public final class KafkaKeyStore implements KeyStore {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaKeyStore.class);
  private static final Duration POLL = Duration.ofMillis(250);
  private static final long WRITE_TIMEOUT_MILLIS = 10_000;

  private final RuntimeKeys keys = new RuntimeKeys();
  private final String topic;
  private final TopicPartition partition;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  /** Writes waiting for the follower, by the offset Kafka gave them. */
  private final ConcurrentSkipListMap<Long, Runnable> waiting = new ConcurrentSkipListMap<>();
  private volatile long appliedUpTo = -1;
  private volatile boolean closed;
  private Thread follower;

  private KafkaKeyStore(String bootstrap, String topic) {
    this.topic = topic;
    this.partition = new TopicPartition(topic, 0);
    Properties producerConfig = new Properties();
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) WRITE_TIMEOUT_MILLIS);
    producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) WRITE_TIMEOUT_MILLIS / 2);
    producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
    this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
    Properties consumerConfig = new Properties();
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Makes sure the topic exists (compacted, one partition), reads it whole, then follows it.
   *
   * @param loadTimeout how long the first read may take (Kafka unreachable: the node does not start)
   */
  public static Future<KafkaKeyStore> start(Vertx vertx, String bootstrap, String topic, Duration loadTimeout) {
    return vertx.executeBlocking(() -> {
      ensureTopic(bootstrap, topic, loadTimeout);
      KafkaKeyStore store = new KafkaKeyStore(bootstrap, topic);
      try {
        store.load(loadTimeout);
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
      store.follow();
      return store;
    }, false);
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
    Context context = Vertx.currentContext();
    Promise<Void> done = Promise.promise();
    Runnable complete = () -> {
      if (context != null) {
        context.runOnContext(v -> done.tryComplete());
      } else {
        done.tryComplete();
      }
    };
    try {
      producer.send(new ProducerRecord<>(topic, 0, change.recordKey(), KeyRecords.encode(change)), (meta, error) -> {
        if (error != null) {
          LOG.warn("key store: a change was not written to Kafka topic '{}': {}", topic, error.toString());
          fail(context, done);
          return;
        }
        waiting.put(meta.offset(), complete);
        if (appliedUpTo >= meta.offset()) {
          release();
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("key store: a change was not written to Kafka topic '{}': {}", topic, e.toString());
      fail(context, done);
    }
    return done.future().timeout(WRITE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).recover(e -> Future.failedFuture(
        e instanceof RelayException ? e : unavailable()));
  }

  private static void fail(Context context, Promise<Void> done) {
    if (context != null) {
      context.runOnContext(v -> done.tryFail(unavailable()));
    } else {
      done.tryFail(unavailable());
    }
  }

  private static RelayException unavailable() {
    return new RelayException(503, "service_unavailable", "The key store (Kafka) did not take the change in time; "
        + "nothing was changed unless it shows up shortly: check /key/info and try again");
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    if (follower != null) {
      try {
        follower.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else {
      consumer.close(Duration.ofSeconds(2));
    }
    producer.close(Duration.ofSeconds(2));
  }

  private void load(Duration timeout) {
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    long deadline = System.nanoTime() + timeout.toNanos();
    long end;
    try {
      end = consumer.endOffsets(List.of(partition), timeout).get(partition);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new IllegalStateException("key store: Kafka did not answer within " + timeout.toSeconds() + " s");
    }
    int read = 0;
    while (consumer.position(partition) < end) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("key store: topic '" + topic + "' not read within " + timeout.toSeconds()
            + " s");
      }
      read += apply(consumer.poll(POLL));
    }
    LOG.info("key store: {} record(s) read from Kafka topic '{}': {} key(s), {} team(s)", read, topic,
        keys.keys().size(), keys.teams().size());
  }

  private void follow() {
    follower = new Thread(() -> {
      try {
        while (!closed) {
          apply(consumer.poll(POLL));
        }
      } catch (WakeupException e) {
        // closing
      } catch (RuntimeException e) {
        LOG.error("key store: following topic '{}' stopped: {}", topic, e.toString());
      } finally {
        consumer.close(Duration.ofSeconds(2));
      }
    }, "rtrelay-key-store");
    follower.setDaemon(true);
    follower.start();
  }

  private int apply(Iterable<ConsumerRecord<String, byte[]>> records) {
    int count = 0;
    for (ConsumerRecord<String, byte[]> record : records) {
      try {
        keys.apply(KeyRecords.decode(record.key(), record.value()));
      } catch (RuntimeException e) {
        // A record another version wrote, or damaged: the rest still apply.
        LOG.warn("key store: record at offset {} of '{}' skipped: {}", record.offset(), topic, e.getMessage());
      }
      appliedUpTo = record.offset();
      count++;
    }
    if (count > 0) {
      release();
    }
    return count;
  }

  /** Completes the writes the follower has applied. */
  private void release() {
    Map.Entry<Long, Runnable> first;
    while ((first = waiting.firstEntry()) != null && first.getKey() <= appliedUpTo) {
      if (waiting.remove(first.getKey(), first.getValue())) {
        first.getValue().run();
      }
    }
  }

  private static void ensureTopic(String bootstrap, String topic, Duration timeout) throws Exception {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(config)) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1).configs(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
            .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("key store: created compacted topic '{}'", topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("key store: cannot create topic '" + topic + "': " + e.getCause());
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        ConfigEntry policy = admin.describeConfigs(List.of(resource)).all().get(timeout.toMillis(),
            TimeUnit.MILLISECONDS).get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
          LOG.warn("key store: topic '{}' is not compacted (cleanup.policy={}): deleted keys' records will expire "
              + "with retention, and so will keys not changed within it; set cleanup.policy=compact", topic,
              policy == null ? "?" : policy.value());
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException("key store: Kafka at " + bootstrap + " did not answer within "
            + timeout.toSeconds() + " s");
      }
    }
  }
}
