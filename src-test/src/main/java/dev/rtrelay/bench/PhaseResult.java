package dev.rtrelay.bench;

import org.HdrHistogram.Histogram;

/**
 * What one load phase measured on one path.
 *
 * @param roundTrip microseconds from send to answer, per frame
 * @param setup microseconds from connect to the first server event, per session
 * @param notSent frames due at their 20 ms tick but skipped because the path pushed back (write queue full)
 */
record PhaseResult(String path, int sessions, double seconds, Histogram roundTrip, Histogram setup, long sent,
    long notSent, long received, long lost, long reordered, int failedSessions) {

  /** Several phases of one path as one: histograms merged, counts and seconds added. */
  static PhaseResult merge(java.util.List<PhaseResult> phases) {
    if (phases.size() == 1) {
      return phases.get(0);
    }
    PhaseResult first = phases.get(0);
    Histogram roundTrip = new Histogram(first.roundTrip().getHighestTrackableValue(), 3);
    Histogram setup = new Histogram(first.setup().getHighestTrackableValue(), 3);
    double seconds = 0;
    long sent = 0;
    long notSent = 0;
    long received = 0;
    long lost = 0;
    long reordered = 0;
    int failed = 0;
    for (PhaseResult p : phases) {
      roundTrip.add(p.roundTrip());
      setup.add(p.setup());
      seconds += p.seconds();
      sent += p.sent();
      notSent += p.notSent();
      received += p.received();
      lost += p.lost();
      reordered += p.reordered();
      failed += p.failedSessions();
    }
    return new PhaseResult(first.path(), first.sessions(), seconds, roundTrip, setup, sent, notSent, received, lost,
        reordered, failed);
  }
}
