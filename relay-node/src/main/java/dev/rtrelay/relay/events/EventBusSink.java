package dev.rtrelay.relay.events;

import dev.rtrelay.events.EventBatch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches the session events of one relay verticle and sends them to a logger over the event bus (one chosen by the
 * node's {@link LoggerDirectory} for each batch), until a logger
 * acknowledges each batch: a batch that no logger took (none registered, a logger killed before it answered, a
 * timeout) is sent again, oldest first, after a growing pause, most likely to another logger. Delivery is therefore at
 * least once: a batch whose acknowledgement was lost can arrive twice (consumers deduplicate on session and
 * {@code seq}). Everything here is bounded: records waiting to be sent or acknowledged, by count and bytes, and
 * batches in flight. When a bound is hit new records are dropped and counted in their session, so a session's
 * {@code dropped_events} is exact; nothing waits, so audio never does. Used from its verticle's event loop only.
 */
public final class EventBusSink implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(EventBusSink.class);
  private static final long DROP_LOG_INTERVAL_NANOS = 60_000_000_000L;
  private static final long RETRY_LOG_INTERVAL_NANOS = 60_000_000_000L;
  /** Beyond the acknowledgement timeouts, so that batches sent as the stop began get their own answer or timeout. */
  private static final long STOP_GRACE_MILLIS = 500;
  private static final long MIN_RETRY_MILLIS = 100;
  private static final long MAX_RETRY_MILLIS = 2_000;

  private final Vertx vertx;
  private final EventLogSettings settings;
  private final EventStats stats;
  private final DeliveryOptions delivery;
  private final LoggerDirectory loggers;
  /** Sealed batches not in flight, oldest first (a batch sent again keeps its place before newer ones). */
  private final PriorityQueue<Sealed> sealed = new PriorityQueue<>((a, b) -> Long.compare(a.order, b.order));
  private final Set<Sealed> inFlight = new LinkedHashSet<>();
  private EventBatch.Builder open = new EventBatch.Builder();
  private long nextOrder;
  private int waitingEvents;
  /** Bytes of the records counted in {@link #waitingEvents}. */
  private long waitingBytes;
  /** Bytes of the records in the open batch (what {@link #waitingBytes} counted for them, framing aside). */
  private long openRecordBytes;
  private long timer = -1;
  private long retryTimer = -1;
  private long retryMillis;
  private long lastDropLogNanos;
  private long lastRetryLogNanos;
  /** Set by {@link #stop}: completes when nothing is waiting or in flight. */
  private Promise<Void> stopped;
  /** The stop's bound passed: what is left is counted as not acknowledged and no longer sent. */
  private boolean gaveUp;

  /** One batch; settled once, when acknowledged or given up. */
  private static final class Sealed {
    final Buffer batch;
    final int events;
    final long bytes;
    final long order;
    boolean settled;

    Sealed(Buffer batch, int events, long bytes, long order) {
      this.batch = batch;
      this.events = events;
      this.bytes = bytes;
      this.order = order;
    }
  }

  /** A sink that lets the event bus pick a logger for each batch (in-process loggers, tests). */
  public EventBusSink(Vertx vertx, EventLogSettings settings, EventStats stats) {
    this(vertx, settings, stats, LoggerDirectory.sharedAddressOnly());
  }

  /** @param loggers where each batch goes: a logger heard from recently that has not failed to acknowledge */
  public EventBusSink(Vertx vertx, EventLogSettings settings, EventStats stats, LoggerDirectory loggers) {
    this.vertx = vertx;
    this.settings = settings;
    this.stats = stats;
    this.loggers = loggers;
    this.delivery = new DeliveryOptions().setSendTimeout(settings.ackTimeoutMillis());
  }

  public void start() {
    timer = vertx.setPeriodic(settings.flushIntervalMillis(), id -> flush());
  }

  /**
   * Sends what is waiting and completes once every batch has been acknowledged, so that a node closing its Vert.x
   * instance right after (clustered: the event bus connections go with it) does not lose the last batches, which hold
   * the drained sessions' {@code session.closed} records. Bounded by two acknowledgement timeouts (a batch sent to a
   * logger that died, then once more to another): what is left then is counted as not acknowledged.
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
    long limit = vertx.setTimer(2 * settings.ackTimeoutMillis() + STOP_GRACE_MILLIS, id -> giveUp());
    return stopped.future().onComplete(v -> vertx.cancelTimer(limit));
  }

  private boolean idle() {
    return inFlight.isEmpty() && sealed.isEmpty();
  }

  /** The stop's bound passed: everything still waiting or in flight is counted, so nothing vanishes silently. */
  private void giveUp() {
    if (gaveUp) {
      return;
    }
    gaveUp = true;
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
      retryTimer = -1;
    }
    int left = 0;
    List<Sealed> remaining = new ArrayList<>(sealed);
    remaining.addAll(inFlight);
    sealed.clear();
    for (Sealed batch : remaining) {
      if (!batch.settled) {
        left += batch.events;
        settle(batch, false);
      }
    }
    if (left > 0) {
      LOG.warn("stopping: {} session event(s) no logger acknowledged in time; counted as not acknowledged", left);
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
    sealed.add(new Sealed(open.take(), events, openRecordBytes, nextOrder++));
    openRecordBytes = 0;
  }

  private void send() {
    while (retryTimer < 0 && !gaveUp && inFlight.size() < settings.maxInFlightBatches() && !sealed.isEmpty()) {
      Sealed batch = sealed.poll();
      inFlight.add(batch);
      String address = loggers.pick();
      vertx.eventBus().request(address, batch.batch, delivery).onComplete(ar -> {
        inFlight.remove(batch);
        if (ar.succeeded()) {
          retryMillis = 0;
          settle(batch, true);
        } else if (batch.settled) {
          // Given up on at the stop's bound, and already counted.
        } else if (refusedForGood(ar.cause())) {
          settle(batch, false);
          logDrops();
        } else if (otherLoggerNow(address, ar.cause())) {
          // That logger is frozen, overloaded or gone, and another one is there: straight to it, no pause.
          stats.resent();
          sealed.add(batch);
        } else if (stopped != null && noLogger(ar.cause())) {
          // Stopping, and no logger is registered anywhere in the cluster: waiting for one would only delay the stop.
          sealed.add(batch);
          giveUp();
          return;
        } else {
          sendAgainLater(batch, ar.cause());
        }
        send();
        if (stopped != null && idle()) {
          stopped.tryComplete();
        }
      });
    }
  }

  /**
   * The batch went to one logger's own address and that logger failed it (no acknowledgement in time: it is set
   * aside; nobody registered there: it is forgotten): whether another logger can take it now.
   */
  private boolean otherLoggerNow(String address, Throwable failure) {
    if (address.equals(EventBatch.ADDRESS) || !(failure instanceof ReplyException reply)) {
      return false;
    }
    return switch (reply.failureType()) {
      case TIMEOUT -> loggers.notAcknowledged(address);
      case NO_HANDLERS -> loggers.gone(address);
      default -> false;
    };
  }

  /** A logger decoded the batch and refused it: sending it again would be refused again. */
  private static boolean refusedForGood(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() == EventBatch.MALFORMED;
  }

  private static boolean noLogger(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS;
  }

  /**
   * No logger took the batch: it goes back to its place among the waiting ones and sending pauses (100 ms, doubling
   * up to 2 s), so that a cluster without loggers costs a retry now and then, not a busy loop. Its records stay
   * counted as waiting, so a long outage fills the buffer and new records are dropped (and counted in their sessions)
   * instead of old ones disappearing.
   */
  private void sendAgainLater(Sealed batch, Throwable failure) {
    stats.resent();
    sealed.add(batch);
    retryMillis = retryMillis == 0 ? MIN_RETRY_MILLIS : Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
    if (retryTimer < 0) {
      retryTimer = vertx.setTimer(retryMillis, id -> {
        retryTimer = -1;
        send();
      });
    }
    long now = System.nanoTime();
    if (now - lastRetryLogNanos > RETRY_LOG_INTERVAL_NANOS) {
      lastRetryLogNanos = now;
      String why = failure instanceof ReplyException reply ? reply.failureType().name().toLowerCase()
          : failure.getClass().getSimpleName();
      LOG.warn("no logger acknowledged a batch of session events ({}); holding {} event(s) and sending again; "
          + "audio is unaffected", why, waitingEvents);
    }
  }

  /** The batch's records stop counting as waiting, and are counted as delivered or not acknowledged. */
  private void settle(Sealed batch, boolean delivered) {
    if (batch.settled) {
      return;
    }
    batch.settled = true;
    waitingEvents -= batch.events;
    waitingBytes -= batch.bytes;
    if (delivered) {
      stats.delivered(batch.events);
    } else {
      stats.droppedUndelivered(batch.events);
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
