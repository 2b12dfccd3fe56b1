package dev.rtrelay.relay.events;

import dev.rtrelay.events.EventBatch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logger nodes a relay node sends its session events to, learnt from their heartbeats on
 * {@link EventBatch#LOGGERS_ADDRESS}. Batches are spread over the loggers heard from in the last
 * {@link #FORGET_AFTER_MILLIS}, each sent to one logger's own address, so that a logger that freezes (its heartbeats
 * stop) or stops acknowledging (it is set aside for {@link #SET_ASIDE_MILLIS}) gets no more batches within seconds.
 * Sent to the shared address instead, the event bus would keep handing a frozen logger its share of batches by round
 * robin until the cluster removed it, each batch waiting out its acknowledgement timeout.
 *
 * <p>While no logger is known (the relay has just started, or every logger is set aside) batches go to the shared
 * address, where the event bus picks any registered logger. Thread-safe: one per node, used by every verticle.
 */
public final class LoggerDirectory {
  /** Three missed heartbeats. */
  static final long FORGET_AFTER_MILLIS = 3 * EventBatch.HEARTBEAT_MILLIS;
  /** How long a logger that let a batch time out gets no batches (it is tried again after, if still heard from). */
  static final long SET_ASIDE_MILLIS = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(LoggerDirectory.class);

  private static final class Known {
    volatile long lastHeardMillis;
    volatile long asideUntilMillis;
  }

  private final Map<String, Known> loggers = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicLong setAside = new AtomicLong();
  private final LongSupplier clock;
  private MessageConsumer<JsonObject> consumer;

  LoggerDirectory(LongSupplier clock) {
    this.clock = clock;
  }

  /** A directory that listens to the loggers' heartbeats on this Vert.x instance's (clustered) event bus. */
  public static Future<LoggerDirectory> start(Vertx vertx) {
    LoggerDirectory directory = new LoggerDirectory(System::currentTimeMillis);
    directory.consumer = vertx.eventBus().consumer(EventBatch.LOGGERS_ADDRESS, m -> directory.heard(m.body()));
    return directory.consumer.completion().map(directory);
  }

  /** A directory that knows no logger: every batch goes to the shared address (tests, in-process loggers). */
  public static LoggerDirectory sharedAddressOnly() {
    return new LoggerDirectory(System::currentTimeMillis);
  }

  public Future<Void> close() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  void heard(JsonObject heartbeat) {
    String address = heartbeat == null ? null : heartbeat.getString("address");
    if (address == null || !address.startsWith(EventBatch.ADDRESS + ".")) {
      return;
    }
    if (!heartbeat.getBoolean("up", true)) {
      loggers.remove(address);
      return;
    }
    loggers.computeIfAbsent(address, a -> new Known()).lastHeardMillis = clock.getAsLong();
  }

  /** Where to send the next batch: the next available logger's own address, or the shared one if none is. */
  public String pick() {
    List<String> available = available();
    if (available.isEmpty()) {
      return EventBatch.ADDRESS;
    }
    return available.get(Math.floorMod(next.getAndIncrement(), available.size()));
  }

  /** Loggers heard from recently and not set aside, in a stable order. */
  List<String> available() {
    long now = clock.getAsLong();
    List<String> available = new ArrayList<>(loggers.size());
    for (Map.Entry<String, Known> e : loggers.entrySet()) {
      Known k = e.getValue();
      if (now - k.lastHeardMillis <= FORGET_AFTER_MILLIS && now >= k.asideUntilMillis) {
        available.add(e.getKey());
      }
    }
    available.sort(null);
    return available;
  }

  /**
   * The logger at {@code address} let a batch time out: it gets none for {@link #SET_ASIDE_MILLIS}.
   *
   * @return whether another logger is available to send it to now
   */
  public boolean notAcknowledged(String address) {
    Known k = loggers.get(address);
    if (k != null) {
      long now = clock.getAsLong();
      if (now >= k.asideUntilMillis) {
        setAside.incrementAndGet();
        LOG.warn("a logger did not acknowledge a batch of session events in time; its batches go to other loggers "
            + "for {} s (audio is unaffected)", SET_ASIDE_MILLIS / 1000);
      }
      k.asideUntilMillis = now + SET_ASIDE_MILLIS;
    }
    return !available().isEmpty();
  }

  /**
   * Nothing is registered at {@code address} any more (the logger stopped or left the cluster).
   *
   * @return whether another logger is available to send it to now
   */
  public boolean gone(String address) {
    loggers.remove(address);
    return !available().isEmpty();
  }

  /** Times a logger was set aside for not acknowledging in time. */
  public long setAsideCount() {
    return setAside.get();
  }

  /** Loggers batches may be sent to now. */
  public int availableCount() {
    return available().size();
  }
}
