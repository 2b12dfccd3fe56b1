package dev.rtrelay.relay.upstream;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/** The node's warm upstream connections, across its verticles: hits, misses, idle ones, and their age at use. */
public final class WarmStats {
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder refreshed = new LongAdder();
  private final AtomicInteger idle = new AtomicInteger();
  private volatile LongConsumer ageAtUse = nanos -> { };

  /** Where each hit's connection age (ns) goes: the metrics' histogram. */
  public void onAgeAtUse(LongConsumer consumer) {
    ageAtUse = consumer;
  }

  void hit(long ageNanos) {
    hits.increment();
    ageAtUse.accept(ageNanos);
  }

  void miss() {
    misses.increment();
  }

  void refreshed() {
    refreshed.increment();
  }

  void idle(int delta) {
    idle.addAndGet(delta);
  }

  public long hits() {
    return hits.sum();
  }

  public long misses() {
    return misses.sum();
  }

  /** Connections closed at their maximum age (and replaced when their pool is in use). */
  public long refreshedCount() {
    return refreshed.sum();
  }

  /** Connections held ready now. */
  public int idle() {
    return idle.get();
  }
}
