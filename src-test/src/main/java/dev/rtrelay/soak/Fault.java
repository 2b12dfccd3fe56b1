package dev.rtrelay.soak;

import java.util.Set;

/**
 * A fault the schedule injected, and which sessions it was allowed to end. Sessions it did not name must have seen
 * nothing: no close, no lost or reordered frame.
 *
 * @param startedMillis when the fault began (epoch ms)
 * @param endedMillis when the part of the cluster it broke was back (epoch ms)
 * @param relay the relay whose sessions it ends (killed or stopped), or null
 * @param sessions session ids it ends (provider drop, client that stops reading), besides the relay's
 * @param closeCodes the close codes the sessions it ends may see
 * @param recordWindow whether records made around its start may be missing from Kafka without being counted in a
 *     session (a logger or relay killed outright loses what it held in memory; docs/session-events.md)
 */
record Fault(String name, long startedMillis, long endedMillis, String relay, Set<String> sessions,
    Set<Integer> closeCodes, boolean recordWindow) {

  /** The time around the start in which a killed process's in-memory records may be lost. */
  static final long WINDOW_MILLIS = 2_000;

  boolean ends(SoakClient.Session s) {
    if (s.endedByHarness()) {
      return false;
    }
    boolean inTime = s.endedMillis() >= startedMillis - 500 && s.endedMillis() <= endedMillis + 15_000;
    boolean named = sessions.contains(s.id()) || (relay != null && relay.equals(s.relay()));
    return inTime && named && (closeCodes.isEmpty() || closeCodes.contains(s.closeCode()));
  }

  /** Whether a record made between these times (epoch µs; -1 unknown) may be lost in this fault's window. */
  boolean coversGap(long beforeMicros, long afterMicros) {
    if (!recordWindow) {
      return false;
    }
    long from = (startedMillis - WINDOW_MILLIS) * 1000;
    long to = (startedMillis + WINDOW_MILLIS) * 1000;
    long gapStart = beforeMicros < 0 ? Long.MIN_VALUE : beforeMicros;
    long gapEnd = afterMicros < 0 ? Long.MAX_VALUE : afterMicros;
    return gapStart <= to && gapEnd >= from;
  }
}
