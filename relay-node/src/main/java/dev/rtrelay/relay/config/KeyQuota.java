package dev.rtrelay.relay.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/**
 * A virtual key's cluster-wide limits, under LiteLLM's key field names. Every relay node enforces the same counts
 * (shared through the cluster), so adding nodes does not multiply a key's allowance.
 *
 * @param maxParallelSessions {@code max_parallel_requests}: live realtime sessions at once
 * @param sessionsPerMinute {@code rpm_limit}: sessions opened (and WebRTC secrets and calls) in any 60 s window
 * @param maxBudget {@code max_budget}: USD the key may spend per budget period
 * @param budgetDuration {@code budget_duration}: the period after which spend resets; empty means never
 */
public record KeyQuota(
    Optional<Integer> maxParallelSessions,
    Optional<Integer> sessionsPerMinute,
    Optional<BigDecimal> maxBudget,
    Optional<Duration> budgetDuration) {

  public static final KeyQuota NONE = new KeyQuota(Optional.empty(), Optional.empty(), Optional.empty(),
      Optional.empty());

  /** True when nothing is limited: such keys never touch the shared counters. */
  public boolean unlimited() {
    return maxParallelSessions.isEmpty() && sessionsPerMinute.isEmpty() && maxBudget.isEmpty();
  }

  /**
   * Parses LiteLLM's duration form: a number and a unit, {@code s}, {@code m}, {@code h}, {@code d}, or {@code mo}
   * (30 days), e.g. {@code 30d}.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static Duration parseDuration(String text) {
    String t = text.trim();
    int i = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i))) {
      i++;
    }
    if (i == 0 || i == t.length()) {
      throw new IllegalArgumentException("must be a number and a unit (s, m, h, d, mo), e.g. 30d");
    }
    long n = Long.parseLong(t.substring(0, i));
    if (n <= 0) {
      throw new IllegalArgumentException("must be positive");
    }
    return switch (t.substring(i)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      case "mo" -> Duration.ofDays(30 * n);
      default -> throw new IllegalArgumentException("unknown unit '" + t.substring(i) + "' (use s, m, h, d or mo)");
    };
  }
}
