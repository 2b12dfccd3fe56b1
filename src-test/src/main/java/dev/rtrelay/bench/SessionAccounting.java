package dev.rtrelay.bench;

/**
 * Per-session bookkeeping of probe answers: in order, lost or reordered. A session sends seq 0, 1, 2, ...; an answer
 * with the expected seq is in order; a higher one means the ones skipped are reordered or lost (counted as
 * reordered when they show up later, lost if they never do); a lower one is a late (reordered) arrival.
 */
final class SessionAccounting {
  private long sent;
  private long expected;
  private long received;
  private long reordered;
  private long skipped;

  void sent() {
    sent++;
  }

  void received(long seq) {
    received++;
    if (seq == expected) {
      expected++;
    } else if (seq > expected) {
      skipped += seq - expected;
      expected = seq + 1;
      reordered++;
    } else {
      // A frame we had skipped arrives late.
      skipped--;
      reordered++;
    }
  }

  long sentCount() {
    return sent;
  }

  long receivedCount() {
    return received;
  }

  /** Frames that arrived out of order (either ahead of a gap or late to fill one). */
  long reorderedCount() {
    return reordered;
  }

  /** Frames sent whose answer never came (those still in flight at the end count as lost too). */
  long lostCount() {
    return sent - received;
  }

  /** Gaps not filled yet. */
  long openGaps() {
    return skipped;
  }
}
