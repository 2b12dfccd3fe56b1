package dev.rtrelay.logger;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the {@link OutboundBuffer} into Kafka with a bounded number of records in flight. A failed send goes back to
 * the buffer, ahead of what was added after it, and sending pauses with a growing back-off, so an outage costs memory
 * up to the buffer's bound and nothing else. A record Kafka refuses for good ({@link RecordRejections}) is dropped and
 * counted instead of retried.
 */
final class KafkaEventWriter {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventWriter.class);
  private static final long MIN_BACKOFF_MS = 200;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  private final LoggerSettings settings;
  private final OutboundBuffer buffer;
  private final KafkaProducer<String, Buffer> producer;
  private int inFlight;
  private long sent;
  private long failures;
  private long rejected;
  private long backoffMs;
  private boolean waiting;
  private boolean outage;

  private final LoggerMeters meters;
  private final Runnable levelsChanged;

  /** @param levelsChanged told when buffer or in-flight levels changed, so gauges can be refreshed */
  KafkaEventWriter(Vertx vertx, LoggerSettings settings, OutboundBuffer buffer, LoggerMeters meters,
      Runnable levelsChanged) {
    this.meters = meters;
    this.levelsChanged = levelsChanged;
    this.vertx = vertx;
    this.settings = settings;
    this.buffer = buffer;
    this.producer = KafkaProducer.create(vertx, producerConfig(settings));
  }

  /** Producer tuned for throughput and per-partition order: idempotent, acks=all, lz4, short linger. */
  static Map<String, String> producerConfig(LoggerSettings settings) {
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", settings.bootstrap());
    config.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    config.put("value.serializer", "io.vertx.kafka.client.serialization.BufferSerializer");
    config.put("acks", "all");
    config.put("enable.idempotence", "true");
    config.put("max.in.flight.requests.per.connection", "5");
    config.put("compression.type", "lz4");
    config.put("linger.ms", "20");
    config.put("batch.size", String.valueOf(256 * 1024));
    // During an outage send() must fail soon (the record returns to our bounded buffer) rather than block a worker.
    config.put("max.block.ms", "3000");
    config.put("request.timeout.ms", "5000");
    config.put("delivery.timeout.ms", "15000");
    config.put("client.id", "rtrelay-logger");
    return config;
  }

  /** Sends as much as the in-flight bound allows; call whenever records were added. */
  void pump() {
    if (waiting) {
      return;
    }
    while (inFlight < settings.maxInFlight() && !buffer.isEmpty()) {
      OutboundBuffer.Entry entry = buffer.poll();
      inFlight++;
      long started = System.nanoTime();
      producer.send(KafkaProducerRecord.create(settings.topic(), entry.key(), entry.value()))
          .onSuccess(meta -> {
            inFlight--;
            sent++;
            meters.written.increment();
            meters.sendLatency.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            levelsChanged.run();
            if (outage) {
              outage = false;
              LOG.info("Kafka reachable again; {} events waiting", buffer.size());
            }
            backoffMs = 0;
            pump();
          })
          .onFailure(error -> {
            inFlight--;
            if (RecordRejections.isPermanent(error)) {
              rejected(entry, error);
              return;
            }
            failures++;
            meters.sendFailures.increment();
            long droppedBefore = buffer.dropped();
            buffer.retry(entry);
            meters.dropped.increment(buffer.dropped() - droppedBefore);
            levelsChanged.run();
            logDrops();
            if (!outage) {
              outage = true;
              LOG.warn("Kafka send failed ({}); buffering up to {} events / {} bytes and retrying",
                  error.getClass().getSimpleName(), settings.maxBufferedEvents(), settings.maxBufferedBytes());
            }
            backOff();
          });
    }
  }

  /** A record Kafka will never take: dropped, counted and logged (rate-limited), and the rest goes on. */
  private void rejected(OutboundBuffer.Entry entry, Throwable error) {
    rejected++;
    meters.rejected.increment();
    levelsChanged.run();
    long now = System.nanoTime();
    if (now - lastRejectLogNanos > 60_000_000_000L) {
      lastRejectLogNanos = now;
      LOG.warn("Kafka refused a record of {} bytes for good ({}); dropped, {} so far. Lower the relays' "
          + "relay_settings.max_logged_event_bytes or raise the topic's max.message.bytes", entry.value().length(),
          error.getClass().getSimpleName(), rejected);
    }
    pump();
  }

  private long lastRejectLogNanos;
  private long lastDropLogNanos;
  private long lastLoggedDrops;

  /** At most once a minute, so an outage is visible in the log without flooding it. */
  private void logDrops() {
    long now = System.nanoTime();
    if (buffer.dropped() > lastLoggedDrops && now - lastDropLogNanos > 60_000_000_000L) {
      lastDropLogNanos = now;
      lastLoggedDrops = buffer.dropped();
      LOG.warn("buffer full while Kafka is unreachable: {} oldest records dropped so far", buffer.dropped());
    }
  }

  private void backOff() {
    if (waiting) {
      return;
    }
    waiting = true;
    backoffMs = backoffMs == 0 ? MIN_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    vertx.setTimer(backoffMs, id -> {
      waiting = false;
      pump();
    });
  }

  long sent() {
    return sent;
  }

  long failures() {
    return failures;
  }

  /** Records Kafka refused for good (too large, invalid), dropped rather than retried. */
  long rejected() {
    return rejected;
  }

  int inFlight() {
    return inFlight;
  }

  /** Completes when everything buffered has been acknowledged by Kafka, or after {@code timeoutMs}. */
  io.vertx.core.Future<Void> drain(long timeoutMs) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    pump();
    vertx.setPeriodic(50, id -> {
      if ((buffer.isEmpty() && inFlight == 0) || System.currentTimeMillis() > deadline) {
        vertx.cancelTimer(id);
        done.tryComplete();
      }
    });
    return done.future();
  }

  io.vertx.core.Future<Void> close() {
    return producer.close();
  }
}
