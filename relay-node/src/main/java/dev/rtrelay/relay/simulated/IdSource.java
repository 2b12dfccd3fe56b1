package dev.rtrelay.relay.simulated;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Shared by all connections of one provider so ids never repeat across sessions, while staying readable and
 * deterministic enough to eyeball in logs.
 */
final class IdSource {
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong objects = new AtomicLong();

  String eventId() {
    return "event_" + events.incrementAndGet();
  }

  /** e.g. {@code item_sim12}; the {@code sim} marker makes simulated ids obvious wherever they end up. */
  String objectId(String prefix) {
    return prefix + "_sim" + objects.incrementAndGet();
  }
}
