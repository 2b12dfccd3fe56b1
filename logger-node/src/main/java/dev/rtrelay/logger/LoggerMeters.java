package dev.rtrelay.logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The logger's meters. Counters and timers are updated where things happen; buffer levels are published by the
 * logger verticle after each change (gauges read those snapshots, never the verticle's own state from another
 * thread).
 */
final class LoggerMeters {
  final Counter received;
  final Counter written;
  final Counter dropped;
  final Counter sendFailures;
  final Counter rejected;
  final Counter malformedBatches;
  final DistributionSummary batchRecords;
  final Timer sendLatency;
  private final AtomicLong buffered = new AtomicLong();
  private final AtomicLong bufferedBytes = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();

  LoggerMeters(MeterRegistry registry, LoggerSettings settings) {
    received = Counter.builder("rtrelay_logger_records_received").description("Session-event records received from relays")
        .register(registry);
    written = Counter.builder("rtrelay_logger_records_written").description("Records acknowledged by Kafka")
        .register(registry);
    dropped = Counter.builder("rtrelay_logger_records_dropped")
        .description("Records dropped (oldest first) while Kafka was unreachable and the buffer was full")
        .register(registry);
    sendFailures = Counter.builder("rtrelay_logger_send_failures")
        .description("Failed Kafka sends (the records are retried)").register(registry);
    rejected = Counter.builder("rtrelay_logger_records_rejected")
        .description("Records Kafka refused for good (larger than max.request.size or the topic's max.message.bytes, "
            + "or invalid); dropped, not retried").register(registry);
    malformedBatches = Counter.builder("rtrelay_logger_malformed_batches")
        .description("Event batches that could not be decoded").register(registry);
    batchRecords = DistributionSummary.builder("rtrelay_logger_batch_records")
        .description("Records per event-bus batch received from a relay").publishPercentileHistogram()
        .minimumExpectedValue(1.0).maximumExpectedValue(1024.0).register(registry);
    sendLatency = Timer.builder("rtrelay_logger_kafka_send").description("Kafka send until acknowledgement")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(15)).register(registry);
    Gauge.builder("rtrelay_logger_records_buffered", buffered, AtomicLong::get).description("Records waiting for Kafka")
        .register(registry);
    Gauge.builder("rtrelay_logger_bytes_buffered", bufferedBytes, AtomicLong::get).description("Bytes waiting for Kafka")
        .register(registry);
    Gauge.builder("rtrelay_logger_records_in_flight", inFlight, AtomicLong::get)
        .description("Records handed to the Kafka producer, not yet acknowledged").register(registry);
    Gauge.builder("rtrelay_logger_buffer_fill_ratio", this, m -> Math.max(
            m.buffered.get() / (double) settings.maxBufferedEvents(),
            m.bufferedBytes.get() / (double) settings.maxBufferedBytes()))
        .description("How full the buffer is (0..1, by records or bytes, whichever is fuller); at 1 the oldest "
            + "records are dropped").register(registry);
  }

  /** Meters nobody reads (embedded uses that pass no registry). */
  static LoggerMeters detached(LoggerSettings settings) {
    return new LoggerMeters(new SimpleMeterRegistry(), settings);
  }

  void levels(long records, long bytes, long sending) {
    buffered.set(records);
    bufferedBytes.set(bytes);
    inFlight.set(sending);
  }
}
