package dev.rtrelay.relay.routing;

import dev.rtrelay.relay.config.DeploymentConfig;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live health of one deployment on this node: sessions in flight (for least-busy) and consecutive handshake
 * failures (for LiteLLM-style cooldown). Shared by all relay verticle instances, hence atomics.
 */
public final class DeploymentState {
  private final DeploymentConfig config;
  private final AtomicInteger liveSessions = new AtomicInteger();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private volatile long cooldownUntilNanos;
  private volatile boolean coolingDown;
  private final DecayingAverage latency = new DecayingAverage(DecayingAverage.HALF_LIFE_NANOS);

  DeploymentState(DeploymentConfig config) {
    this.config = config;
  }

  public DeploymentConfig config() {
    return config;
  }

  public int liveSessions() {
    return liveSessions.get();
  }

  boolean isCoolingDown(long nowNanos) {
    return coolingDown && nowNanos - cooldownUntilNanos < 0;
  }

  long cooldownRemainingNanos(long nowNanos) {
    return isCoolingDown(nowNanos) ? cooldownUntilNanos - nowNanos : 0;
  }

  /** Counts a failed handshake; returns true when this failure started a cooldown. */
  boolean recordFailure(int allowedFails, long cooldownNanos, long nowNanos) {
    int fails = consecutiveFailures.incrementAndGet();
    if (fails >= Math.max(1, allowedFails) && cooldownNanos > 0) {
      consecutiveFailures.set(0);
      cooldownUntilNanos = nowNanos + cooldownNanos;
      coolingDown = true;
      return true;
    }
    return false;
  }

  void recordSuccess() {
    consecutiveFailures.set(0);
    coolingDown = false;
  }

  /**
   * A response's time to first audio on this deployment (-1: it had no audio, and tells nothing): folded into the
   * deployment's recent latency, which {@code latency-based-routing} compares.
   */
  public void responseTimed(long firstAudioNanos, long nowNanos) {
    if (firstAudioNanos >= 0) {
      latency.add(firstAudioNanos, nowNanos);
    }
  }

  /** The deployment's recent time to first audio in nanoseconds, or -1 without recent data. */
  long recentLatencyNanos(long nowNanos) {
    return latency.value(nowNanos);
  }

  void sessionStarted() {
    liveSessions.incrementAndGet();
  }

  void sessionEnded() {
    liveSessions.decrementAndGet();
  }
}
