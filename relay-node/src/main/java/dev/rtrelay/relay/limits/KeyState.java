package dev.rtrelay.relay.limits;

import dev.rtrelay.relay.config.KeyQuota;
import dev.rtrelay.relay.http.RelayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * One key's shared counters, as stored in the cluster map (a JSON string, so every node reads it without custom
 * serializers and compare-and-set compares plain strings):
 * {@code {"live":{"<node>":n},"opens":[epoch ms...],"spend":"<usd>","window":<epoch ms>}}.
 */
final class KeyState {
  private static final long MINUTE_MILLIS = 60_000;

  private final JsonObject live;
  private final JsonArray opens;
  private BigDecimal spend;
  private Long window;

  private KeyState(JsonObject live, JsonArray opens, BigDecimal spend, Long window) {
    this.live = live;
    this.opens = opens;
    this.spend = spend;
    this.window = window;
  }

  static KeyState empty() {
    return new KeyState(new JsonObject(), new JsonArray(), BigDecimal.ZERO, null);
  }

  /** A key the cluster has no entry for, starting from its last spend checkpoint (after a full-cluster restart). */
  static KeyState resumed(SpendLedger.Checkpoint checkpoint) {
    return new KeyState(new JsonObject(), new JsonArray(), checkpoint.spend(), checkpoint.window());
  }

  /** The spend and period as a checkpoint; empty when there is nothing to keep. */
  Optional<SpendLedger.Checkpoint> checkpoint() {
    return spend.signum() == 0 && window == null ? Optional.empty()
        : Optional.of(new SpendLedger.Checkpoint(window, spend));
  }

  static KeyState parse(String json) {
    JsonObject o = new JsonObject(json);
    return new KeyState(o.getJsonObject("live", new JsonObject()), o.getJsonArray("opens", new JsonArray()),
        new BigDecimal(o.getString("spend", "0")), o.getLong("window"));
  }

  String encode() {
    JsonObject o = new JsonObject();
    if (!live.isEmpty()) {
      o.put("live", live);
    }
    if (!opens.isEmpty()) {
      o.put("opens", opens);
    }
    if (spend.signum() != 0) {
      o.put("spend", spend.toPlainString());
    }
    if (window != null) {
      o.put("window", window);
    }
    return o.encode();
  }

  /** Forgets departed nodes' sessions and opens older than a minute, and starts a new budget period when due. */
  void refresh(Collection<String> liveNodes, long now, KeyQuota quota) {
    live.fieldNames().removeIf(node -> !liveNodes.contains(node));
    while (!opens.isEmpty() && opens.getLong(0) <= now - MINUTE_MILLIS) {
      opens.remove(0);
    }
    if (quota.budgetDuration().isPresent()) {
      long period = quota.budgetDuration().get().toMillis();
      if (window == null) {
        window = now;
      } else if (now >= window + period) {
        // Periods stay aligned to the first one, however long the key was idle.
        window += (now - window) / period * period;
        spend = BigDecimal.ZERO;
      }
    }
  }

  /** @param who the holder as the client reads it: {@code Key 'alias'} or {@code Team 'id'} */
  void checkBudget(String who, KeyQuota quota) {
    if (quota.maxBudget().isPresent() && spend.compareTo(quota.maxBudget().get()) >= 0) {
      String period = window == null || quota.budgetDuration().isEmpty() ? ""
          : "; the budget resets at " + Instant.ofEpochMilli(window + quota.budgetDuration().get().toMillis());
      throw new RelayException(429, "budget_exceeded", who + " has used its budget (max_budget "
          + quota.maxBudget().get().toPlainString() + " USD, spent " + spend.toPlainString() + " USD" + period + ")");
    }
  }

  void checkParallel(String who, KeyQuota quota) {
    if (quota.maxParallelSessions().isPresent()) {
      int max = quota.maxParallelSessions().get();
      if (liveSessions() >= max) {
        throw RelayException.tooManyRequests(who + " already has " + max
            + " live realtime sessions (max_parallel_requests)");
      }
    }
  }

  void checkRate(String who, KeyQuota quota, long now) {
    if (quota.sessionsPerMinute().isPresent() && opens.size() >= quota.sessionsPerMinute().get()) {
      long retryMillis = opens.getLong(0) + MINUTE_MILLIS - now;
      int retryAfter = (int) Math.max(1, (retryMillis + 999) / 1000);
      throw new RelayException(429, "rate_limit_error", who + " opened "
          + quota.sessionsPerMinute().get() + " sessions in the last minute (rpm_limit); retry in " + retryAfter + " s",
          Optional.of(retryAfter));
    }
  }

  void recordOpen(String nodeId, boolean countsLive, KeyQuota quota, long now) {
    if (quota.sessionsPerMinute().isPresent()) {
      opens.add(now);
    }
    if (countsLive) {
      live.put(nodeId, live.getInteger(nodeId, 0) + 1);
    }
  }

  void releaseLive(String nodeId, Collection<String> liveNodes) {
    live.fieldNames().removeIf(node -> !liveNodes.contains(node));
    int n = live.getInteger(nodeId, 0);
    if (n <= 1) {
      live.remove(nodeId);
    } else {
      live.put(nodeId, n - 1);
    }
  }

  /** Sets a node's live count (reconciliation from the node's own leases); departed nodes are forgotten too. */
  void setLive(String nodeId, int count, Collection<String> liveNodes) {
    live.fieldNames().removeIf(node -> !liveNodes.contains(node));
    if (count <= 0) {
      live.remove(nodeId);
    } else {
      live.put(nodeId, count);
    }
  }

  /** @return true when the key is now at or over its budget */
  boolean addSpend(BigDecimal usd, BigDecimal maxBudget) {
    spend = spend.add(usd);
    return spend.compareTo(maxBudget) >= 0;
  }

  BigDecimal spend() {
    return spend;
  }

  /** When the current budget period ends; empty without a period. */
  Optional<Instant> periodEnd(KeyQuota quota) {
    return window == null || quota.budgetDuration().isEmpty() ? Optional.empty()
        : Optional.of(Instant.ofEpochMilli(window + quota.budgetDuration().get().toMillis()));
  }

  int liveSessions() {
    int total = 0;
    for (String node : live.fieldNames()) {
      total += live.getInteger(node);
    }
    return total;
  }
}
