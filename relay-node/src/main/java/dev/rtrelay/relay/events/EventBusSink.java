package dev.rtrelay.relay.events;

import dev.rtrelay.events.EventBatch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches the session events of one relay verticle and sends them to a logger over the event bus. Everything here is
 * bounded: records waiting (in the open batch and sealed batches) and batches awaiting a logger's acknowledgement. When
 * a bound is hit new records are dropped and counted; nothing waits, so audio never does. Used from its verticle's
 * event loop only.
 */
public final class EventBusSink implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(EventBusSink.class);
  private static final long DROP_LOG_INTERVAL_NANOS = 60_000_000_000L;
  /** Beyond one acknowledgement timeout, so that batches sent as the stop began get their own answer or timeout. */
  private static final long STOP_GRACE_MILLIS = 500;

  private final Vertx vertx;
  private final EventLogSettings settings;
  private final EventStats stats;
  private final DeliveryOptions delivery;
  private final ArrayDeque<Sealed> sealed = new ArrayDeque<>();
  private EventBatch.Builder open = new EventBatch.Builder();
  private int waitingEvents;
  /** Bytes of the records counted in {@link #waitingEvents}. */
  private long waitingBytes;
  /** Bytes of the records in the open batch (what {@link #waitingBytes} counted for them, framing aside). */
  private long openRecordBytes;
  private int inFlight;
  private long timer = -1;
  private long lastDropLogNanos;
  /** Set by {@link #stop}: completes when nothing is waiting or in flight. */
  private Promise<Void> stopped;

  private record Sealed(Buffer batch, int events, long bytes) {}

  public EventBusSink(Vertx vertx, EventLogSettings settings, EventStats stats) {
    this.vertx = vertx;
    this.settings = settings;
    this.stats = stats;
    this.delivery = new DeliveryOptions().setSendTimeout(settings.ackTimeoutMillis());
  }

  public void start() {
    timer = vertx.setPeriodic(settings.flushIntervalMillis(), id -> flush());
  }

  /**
   * Sends what is waiting and completes once every batch has been acknowledged or has failed, so that a node closing
   * its Vert.x instance right after (clustered: the event bus connections go with it) does not lose the last batches,
   * which hold the drained sessions' {@code session.closed} records. Bounded: batches still unsent after one
   * acknowledgement timeout (a stalled logger) are counted as not acknowledged and the stop completes.
   */
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    flush();
    if (idle()) {
      return Future.succeededFuture();
    }
    stopped = Promise.promise();
    long limit = vertx.setTimer(settings.ackTimeoutMillis() + STOP_GRACE_MILLIS, id -> giveUp());
    return stopped.future().onComplete(v -> vertx.cancelTimer(limit));
  }

  private boolean idle() {
    return inFlight == 0 && sealed.isEmpty();
  }

  /** The stop's bound passed: what was never sent is counted, so nothing vanishes silently. */
  private void giveUp() {
    int unsent = 0;
    for (Sealed batch : sealed) {
      unsent += batch.events();
      waitingBytes -= batch.bytes();
    }
    sealed.clear();
    waitingEvents -= unsent;
    if (unsent > 0) {
      stats.droppedUndelivered(unsent);
      LOG.warn("stopping: {} session event(s) not sent to a logger in time; counted as not acknowledged", unsent);
    }
    stopped.tryComplete();
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public boolean offer(String sessionId, byte[] envelope) {
    if (waitingEvents >= settings.maxBufferedEvents() || waitingBytes + envelope.length > settings.maxBufferedBytes()) {
      stats.droppedBufferFull();
      logDrops();
      return false;
    }
    open.add(sessionId, envelope);
    waitingEvents++;
    waitingBytes += envelope.length;
    openRecordBytes += envelope.length;
    stats.accepted();
    if (open.count() >= settings.batchMaxEvents() || open.bytes() >= settings.batchMaxBytes()) {
      seal();
      send();
    }
    return true;
  }

  @Override
  public void truncated() {
    stats.truncated();
  }

  private void flush() {
    if (open.count() > 0) {
      seal();
    }
    send();
  }

  private void seal() {
    int events = open.count();
    sealed.addLast(new Sealed(open.take(), events, openRecordBytes));
    openRecordBytes = 0;
  }

  private void send() {
    while (inFlight < settings.maxInFlightBatches() && !sealed.isEmpty()) {
      Sealed batch = sealed.pollFirst();
      inFlight++;
      vertx.eventBus().request(EventBatch.ADDRESS, batch.batch(), delivery).onComplete(ar -> {
        inFlight--;
        waitingEvents -= batch.events();
        waitingBytes -= batch.bytes();
        if (ar.succeeded()) {
          stats.delivered(batch.events());
        } else {
          stats.droppedUndelivered(batch.events());
          logDrops();
        }
        send();
        if (stopped != null && idle()) {
          stopped.tryComplete();
        }
      });
    }
  }

  private void logDrops() {
    long now = System.nanoTime();
    if (now - lastDropLogNanos > DROP_LOG_INTERVAL_NANOS) {
      lastDropLogNanos = now;
      LOG.warn("session events are being dropped (no logger reachable or loggers too slow); dropped so far: {} "
          + "(buffer full: {}, not acknowledged: {}); audio is unaffected", stats.droppedCount(),
          stats.droppedBufferFullCount(), stats.droppedUndeliveredCount());
    }
  }
}
