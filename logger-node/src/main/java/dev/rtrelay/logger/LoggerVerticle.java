package dev.rtrelay.logger;

import dev.rtrelay.events.EventBatch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes session-event batches from the event bus and writes their records to Kafka. A batch is acknowledged as soon
 * as it is buffered (never after Kafka), so a slow or absent broker never slows the relays; the relays bound what
 * they have outstanding by these acknowledgements.
 */
public final class LoggerVerticle extends VerticleBase {
  /** Address where a logger answers a stats request (used by tests and the readiness check). */
  public static final String STATS_ADDRESS = "rtrelay.logger.stats";
  private static final Logger LOG = LoggerFactory.getLogger(LoggerVerticle.class);

  private final LoggerSettings settings;
  /** Failure code of the reply to a batch that could not be decoded. */
  static final int MALFORMED_BATCH = EventBatch.MALFORMED;
  private OutboundBuffer buffer;
  private KafkaEventWriter writer;
  private MessageConsumer<Buffer> consumer;
  private MessageConsumer<Buffer> ownConsumer;
  /** This logger's own batch address, announced to the relays every {@link EventBatch#HEARTBEAT_MILLIS}. */
  private final String ownAddress = EventBatch.loggerAddress(UUID.randomUUID().toString());
  private long heartbeat = -1;
  private MessageConsumer<Object> stats;
  private long received;
  private long malformed;

  private final LoggerMeters meters;

  LoggerVerticle(LoggerSettings settings, LoggerMeters meters) {
    this.settings = settings;
    this.meters = meters;
  }

  @Override
  public Future<?> start() {
    buffer = new OutboundBuffer(settings.maxBufferedEvents(), settings.maxBufferedBytes());
    writer = new KafkaEventWriter(vertx, settings, buffer, meters, this::publishLevels);
    consumer = vertx.eventBus().consumer(EventBatch.ADDRESS, this::onBatch);
    ownConsumer = vertx.eventBus().consumer(ownAddress, this::onBatch);
    // Local stats only: every logger answers for itself, so the consumer is not visible cluster-wide.
    stats = vertx.eventBus().localConsumer(STATS_ADDRESS, m -> m.reply(stats()));
    return Future.join(consumer.completion(), ownConsumer.completion(), stats.completion()).andThen(done -> {
      if (done.succeeded()) {
        // Announced only once its address is registered cluster-wide: a relay that hears it can send at once.
        announce(true);
        heartbeat = vertx.setPeriodic(EventBatch.HEARTBEAT_MILLIS, id -> announce(true));
      }
    });
  }

  private void announce(boolean up) {
    vertx.eventBus().publish(EventBatch.LOGGERS_ADDRESS, new JsonObject().put("address", ownAddress).put("up", up));
  }

  private void onBatch(Message<Buffer> message) {
    try {
      long droppedBefore = buffer.dropped();
      int records = EventBatch.forEach(message.body(), buffer::add);
      received += records;
      meters.received.increment(records);
      meters.batchRecords.record(records);
      meters.dropped.increment(buffer.dropped() - droppedBefore);
      message.reply(null);
    } catch (IllegalArgumentException e) {
      // Refused whole (nothing of it was buffered), and said so: the sender counts the batch's events as dropped.
      malformed++;
      meters.malformedBatches.increment();
      LOG.warn("refused a malformed event batch: {}", e.getMessage());
      message.fail(MALFORMED_BATCH, "malformed event batch: " + e.getMessage());
    }
    writer.pump();
    publishLevels();
  }

  private void publishLevels() {
    meters.levels(buffer.size(), buffer.bytes(), writer.inFlight());
  }

  JsonObject stats() {
    return new JsonObject()
        .put("received", received)
        .put("sent", writer.sent())
        .put("buffered", buffer.size())
        .put("buffered_bytes", buffer.bytes())
        .put("in_flight", writer.inFlight())
        .put("dropped", buffer.dropped())
        .put("send_failures", writer.failures())
        .put("rejected", writer.rejected())
        .put("malformed_batches", malformed);
  }

  @Override
  public Future<?> stop() {
    if (heartbeat >= 0) {
      vertx.cancelTimer(heartbeat);
      // Relays stop choosing this logger now rather than when its heartbeats are missed; batches still in flight
      // are answered (the consumers unregister after) and what comes late goes to another logger.
      announce(false);
    }
    Future<Void> unregistered = Future.join(consumer.unregister(), ownConsumer.unregister(), stats.unregister())
        .mapEmpty();
    if (!buffer.isEmpty() || writer.inFlight() > 0) {
      LOG.info("stopping with {} events buffered and {} in flight", buffer.size(), writer.inFlight());
    }
    // Flush what is buffered while Kafka is up; bounded so a dead broker cannot hold shutdown hostage.
    return unregistered.eventually(() -> writer.drain(5_000)).eventually(writer::close);
  }
}
