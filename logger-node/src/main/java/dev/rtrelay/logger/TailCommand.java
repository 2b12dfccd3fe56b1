package dev.rtrelay.logger;

import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code logger-node tail}: prints session events from the topic as JSON lines, optionally for one session only. A
 * plain Kafka consumer with a throwaway group, reading from the beginning; stops after --idle-seconds with nothing new
 * unless --follow.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = "Print session events from the topic as JSON lines (one session with --session), or with "
        + "--summary the voice latency per model and deployment.")
public final class TailCommand implements Callable<Integer> {
  @Option(names = "--kafka", paramLabel = "HOST:PORT", required = true, description = "Kafka bootstrap servers.")
  String kafka;

  @Option(names = "--topic", paramLabel = "NAME", defaultValue = "realtime-events",
      description = "Topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--session", paramLabel = "ID", description = "Only this session id (the record key).")
  String session;

  @Option(names = "--follow", description = "Keep waiting for new events (Ctrl-C to stop).")
  boolean follow;

  @Option(names = "--summary", description = "Instead of the records, print voice latency per model and deployment "
      + "(from response.usage records) once the read ends; with --follow, every 30 s.")
  boolean summary;

  @Option(names = "--idle-seconds", paramLabel = "S", defaultValue = "5",
      description = "Without --follow: stop after this long with no new record (default: ${DEFAULT-VALUE}).")
  int idleSeconds;

  /**
   * A consumer that reads the topic from its first record as a group of its own (nothing committed), with session ids
   * and envelopes as strings: how every reader of the session-event topic starts.
   */
  public static Properties fromTheStart(String bootstrap, String groupPrefix) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", groupPrefix + UUID.randomUUID());
    props.put("auto.offset.reset", "earliest");
    props.put("enable.auto.commit", "false");
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", StringDeserializer.class.getName());
    return props;
  }

  @Override
  public Integer call() {
    // stdout carries JSON lines only: silence the client library's console logging for this command.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.OFF);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(fromTheStart(kafka, "rtrelay-tail-"))) {
      consumer.subscribe(java.util.List.of(topic));
      long idleSince = System.nanoTime();
      LatencyTable table = new LatencyTable();
      long printed = System.nanoTime();
      while (follow || System.nanoTime() - idleSince < Duration.ofSeconds(idleSeconds).toNanos()) {
        var records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, String> r : records) {
          if (session == null || session.equals(r.key())) {
            if (summary) {
              table.add(r.value());
            } else {
              System.out.println(r.value());
            }
          }
        }
        if (summary && follow && System.nanoTime() - printed > Duration.ofSeconds(30).toNanos()) {
          System.out.print(table.render());
          printed = System.nanoTime();
        }
        // Joining the group takes seconds; idleness counts only once partitions are assigned.
        if (!records.isEmpty() || consumer.assignment().isEmpty()) {
          idleSince = System.nanoTime();
        }
      }
      if (summary) {
        System.out.print(table.render());
      }
    }
    return 0;
  }
}
