package dev.rtrelay.relay.routing;

import java.util.concurrent.TimeUnit;

/**
 * An average whose samples lose half their weight every half-life, so that a deployment whose latency changes is seen
 * to change within about one half-life, and one that has had no sample for a long time has no figure at all (it is
 * then tried first, as a deployment with no data). Thread-safe; samples are rare (one per response).
 */
final class DecayingAverage {
  /** A deployment that slows down overtakes the others' figures within a few half-lives: well within a minute. */
  static final long HALF_LIFE_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** Below this total weight (about five half-lives without a sample) the figure is forgotten. */
  private static final double FORGOTTEN = 1.0 / 32;

  private final long halfLifeNanos;
  private double weightedSum;
  private double weight;
  private long lastNanos;

  DecayingAverage(long halfLifeNanos) {
    this.halfLifeNanos = halfLifeNanos;
  }

  synchronized void add(double sample, long nowNanos) {
    decay(nowNanos);
    weightedSum += sample;
    weight += 1;
  }

  /** The average now, or -1 when there is none (never a sample, or too old). */
  synchronized long value(long nowNanos) {
    decay(nowNanos);
    return weight < FORGOTTEN ? -1 : Math.round(weightedSum / weight);
  }

  private void decay(long nowNanos) {
    if (weight > 0 && nowNanos > lastNanos) {
      double factor = Math.pow(0.5, (double) (nowNanos - lastNanos) / halfLifeNanos);
      weightedSum *= factor;
      weight *= factor;
    }
    lastNanos = Math.max(lastNanos, nowNanos);
  }
}
