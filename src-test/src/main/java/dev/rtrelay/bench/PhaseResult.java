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
    long notSent, long received, long lost, long reordered, int failedSessions) {}
