package dev.rtrelay.relay.kafka;

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
import java.util.function.Consumer;
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
 * A compacted, one-partition Kafka topic that a relay reads whole before it serves and then follows on a thread of
 * its own, handing every record to one function in the topic's order: the relays' shared state (runtime keys, spend
 * checkpoints) kept durably with nothing but Kafka. Nothing here is on the audio path.
 *
 * <p>{@link #write} completes once the follower has handed the written record over, so a caller sees the state every
 * relay will reach; {@link #send} does not wait.
 */
public final class CompactedTopic {
  private static final Logger LOG = LoggerFactory.getLogger(CompactedTopic.class);
  private static final Duration POLL = Duration.ofMillis(250);
  private static final long WRITE_TIMEOUT_MILLIS = 10_000;

  private final String name;
  private final TopicPartition partition;
  private final Consumer<ConsumerRecord<String, byte[]>> apply;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  /** Writes waiting for the follower, by the offset Kafka gave them. */
  private final ConcurrentSkipListMap<Long, Runnable> waiting = new ConcurrentSkipListMap<>();
  private volatile long appliedUpTo = -1;
  private volatile boolean closed;
  private Thread follower;

  private CompactedTopic(String bootstrap, String name, Consumer<ConsumerRecord<String, byte[]>> apply) {
    this.name = name;
    this.partition = new TopicPartition(name, 0);
    this.apply = apply;
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
   * Makes sure the topic exists (compacted, one partition), hands every record in it to {@code apply}, then follows.
   *
   * @param loadTimeout how long the first read may take (Kafka unreachable: the future fails)
   */
  public static Future<CompactedTopic> open(Vertx vertx, String bootstrap, String name,
      Consumer<ConsumerRecord<String, byte[]>> apply, Duration loadTimeout) {
    return vertx.executeBlocking(() -> {
      ensureTopic(bootstrap, name, loadTimeout);
      CompactedTopic topic = new CompactedTopic(bootstrap, name, apply);
      try {
        topic.load(loadTimeout);
      } catch (RuntimeException e) {
        topic.close();
        throw e;
      }
      topic.follow();
      return topic;
    }, false);
  }

  public String name() {
    return name;
  }

  /** Writes a record (a null value is a tombstone); completes once the follower has applied it here. */
  public Future<Void> write(String key, byte[] value) {
    Context context = Vertx.currentContext();
    Promise<Void> done = Promise.promise();
    Runnable complete = () -> {
      if (context != null) {
        context.runOnContext(v -> done.tryComplete());
      } else {
        done.tryComplete();
      }
    };
    Runnable failed = () -> {
      if (context != null) {
        context.runOnContext(v -> done.tryFail(unavailable()));
      } else {
        done.tryFail(unavailable());
      }
    };
    try {
      producer.send(new ProducerRecord<>(name, 0, key, value), (meta, error) -> {
        if (error != null) {
          LOG.warn("topic '{}': a record was not written: {}", name, error.toString());
          failed.run();
          return;
        }
        waiting.put(meta.offset(), complete);
        if (appliedUpTo >= meta.offset()) {
          release();
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("topic '{}': a record was not written: {}", name, e.toString());
      failed.run();
    }
    return done.future().timeout(WRITE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).recover(e -> Future.failedFuture(
        e instanceof RelayException ? e : unavailable()));
  }

  /**
   * Sends a record without waiting for it. May block for up to two seconds while Kafka's metadata is unknown: call it
   * from a worker, never an event loop.
   */
  public void send(String key, byte[] value) {
    producer.send(new ProducerRecord<>(name, 0, key, value), (meta, error) -> {
      if (error != null) {
        LOG.warn("topic '{}': a record was not written: {}", name, error.toString());
      }
    });
  }

  private RelayException unavailable() {
    return new RelayException(503, "service_unavailable", "Kafka did not take the change in time (topic '" + name
        + "'); nothing was changed unless it shows up shortly");
  }

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
      throw new IllegalStateException("Kafka did not answer within " + timeout.toSeconds() + " s (topic '" + name
          + "')");
    }
    int read = 0;
    while (consumer.position(partition) < end) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topic '" + name + "' not read within " + timeout.toSeconds() + " s");
      }
      read += apply(consumer.poll(POLL));
    }
    LOG.info("topic '{}': {} record(s) read", name, read);
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
        LOG.error("topic '{}': following stopped: {}", name, e.toString());
      } finally {
        consumer.close(Duration.ofSeconds(2));
      }
    }, "rtrelay-topic-" + name);
    follower.setDaemon(true);
    follower.start();
  }

  private int apply(Iterable<ConsumerRecord<String, byte[]>> records) {
    int count = 0;
    for (ConsumerRecord<String, byte[]> record : records) {
      try {
        apply.accept(record);
      } catch (RuntimeException e) {
        // A record another version wrote, or damaged: the rest still apply.
        LOG.warn("topic '{}': record at offset {} skipped: {}", name, record.offset(), e.getMessage());
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
        LOG.info("created compacted topic '{}'", topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topic '" + topic + "': " + e.getCause());
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        ConfigEntry policy = admin.describeConfigs(List.of(resource)).all().get(timeout.toMillis(),
            TimeUnit.MILLISECONDS).get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
          LOG.warn("topic '{}' is not compacted (cleanup.policy={}): records not rewritten within its retention "
              + "expire, and the state they hold with them; set cleanup.policy=compact", topic,
              policy == null ? "?" : policy.value());
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException("Kafka at " + bootstrap + " did not answer within " + timeout.toSeconds()
            + " s");
      }
    }
  }
}
