package dev.rtrelay.relay.auth;

import dev.rtrelay.relay.http.RelayException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts live sessions per principal on this node and enforces {@code max_parallel_requests}. Shared by every relay
 * verticle instance of the node, hence the concurrent structures.
 */
public final class SessionLimiter {
  private final ConcurrentHashMap<String, AtomicInteger> live = new ConcurrentHashMap<>();

  /** Reserves a session slot or refuses with 429; the returned lease must be released exactly once (idempotent). */
  public Lease acquire(Principal principal) {
    AtomicInteger counter = live.computeIfAbsent(principal.id(), id -> new AtomicInteger());
    int now = counter.incrementAndGet();
    if (principal.maxParallelSessions().isPresent() && now > principal.maxParallelSessions().get()) {
      counter.decrementAndGet();
      throw RelayException.tooManyRequests("Key '" + principal.id() + "' already has "
          + principal.maxParallelSessions().get() + " live realtime sessions (max_parallel_requests)");
    }
    return new Lease(counter);
  }

  /** A held session slot. */
  public static final class Lease {
    private final AtomicInteger counter;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(AtomicInteger counter) {
      this.counter = counter;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        counter.decrementAndGet();
      }
    }
  }
}
