package dev.rtrelay.e2e.cluster;

import dev.rtrelay.logger.TailCommand;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Reads the events topic from the beginning with a plain Kafka consumer, as an operator's consumer would. */
final class TopicReader {
  private TopicReader() {}

  /** All records keyed {@code sessionId}, in partition order, once {@code complete} holds (or fails after 60 s). */
  static List<JsonObject> awaitSession(String bootstrap, String topic, String sessionId,
      Predicate<List<JsonObject>> complete) {
    Properties props = TailCommand.fromTheStart(bootstrap, "test-");
    List<JsonObject> records = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(250))) {
          if (sessionId.equals(r.key())) {
            records.add(new JsonObject(r.value()));
          }
        }
        if (complete.test(records)) {
          return records;
        }
      }
    }
    throw new AssertionError("session " + sessionId + " incomplete in Kafka after 60 s; got " + records.size()
        + " records: " + (records.size() > 20 ? records.subList(records.size() - 20, records.size()) : records));
  }

  /** True once the session's closed envelope has arrived. */
  static boolean closed(List<JsonObject> records) {
    return records.stream().anyMatch(r -> "session.closed".equals(r.getString("kind")));
  }
}
