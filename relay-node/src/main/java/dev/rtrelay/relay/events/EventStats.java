package dev.rtrelay.relay.events;

import java.util.concurrent.atomic.AtomicLong;

/** Node-wide counters of session-event logging, shared by all relay verticle instances. */
public final class EventStats {
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong droppedBufferFull = new AtomicLong();
  private final AtomicLong droppedUndelivered = new AtomicLong();
  private final AtomicLong truncated = new AtomicLong();
  private final AtomicLong resent = new AtomicLong();

  void accepted() {
    accepted.incrementAndGet();
  }

  void delivered(int events) {
    delivered.addAndGet(events);
  }

  void droppedBufferFull() {
    droppedBufferFull.incrementAndGet();
  }

  void droppedUndelivered(int events) {
    droppedUndelivered.addAndGet(events);
  }

  void resent() {
    resent.incrementAndGet();
  }

  /** Batches sent again because no logger acknowledged them (none registered, killed, or too slow). */
  public long resentCount() {
    return resent.get();
  }

  void truncated() {
    truncated.incrementAndGet();
  }

  /** Events recorded as type and size only, being over {@code relay_settings.max_logged_event_bytes}. */
  public long truncatedCount() {
    return truncated.get();
  }

  /** Records accepted into a relay buffer. */
  public long acceptedCount() {
    return accepted.get();
  }

  /** Records a logger acknowledged. */
  public long deliveredCount() {
    return delivered.get();
  }

  /** Records dropped: relay buffer full, or batch not acknowledged (no logger, logger gone, timeout). */
  public long droppedCount() {
    return droppedBufferFull.get() + droppedUndelivered.get();
  }

  public long droppedBufferFullCount() {
    return droppedBufferFull.get();
  }

  public long droppedUndeliveredCount() {
    return droppedUndelivered.get();
  }
}
