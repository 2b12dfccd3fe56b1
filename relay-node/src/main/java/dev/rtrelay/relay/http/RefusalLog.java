package dev.rtrelay.relay.http;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of refused requests (bad keys, unknown models, limits). A client can make the relay refuse as fast as it can
 * send, so these lines are sampled: at most {@link #LINES_PER_SECOND} a second for the whole node, and the next line
 * written says how many were left out. What a client chose is escaped ({@link LogSafe}).
 */
public final class RefusalLog {
  static final int LINES_PER_SECOND = 20;
  private static final Logger LOG = LoggerFactory.getLogger(RefusalLog.class);
  private static final AtomicLong SECOND = new AtomicLong();
  private static final AtomicLong WRITTEN = new AtomicLong();
  private static final AtomicLong SUPPRESSED = new AtomicLong();

  private RefusalLog() {}

  /** @param what what was refused, e.g. "session rs_…" or "WebRTC call"; the relay's own words, not a client's */
  public static void refused(String what, RelayException error) {
    long now = System.nanoTime() / 1_000_000_000L;
    long second = SECOND.get();
    if (second != now && SECOND.compareAndSet(second, now)) {
      WRITTEN.set(0);
    }
    if (WRITTEN.incrementAndGet() > LINES_PER_SECOND) {
      SUPPRESSED.incrementAndGet();
      return;
    }
    long left = SUPPRESSED.getAndSet(0);
    LOG.info("{}: refused with {} ({}){}", what, error.status(), LogSafe.text(error.getMessage()),
        left == 0 ? "" : " [" + left + " more refusal(s) not logged]");
  }
}
