package dev.rtrelay.relay.limits;

import dev.rtrelay.relay.auth.Principal;
import dev.rtrelay.relay.config.KeyQuota;
import dev.rtrelay.relay.http.RelayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-key limits shared by every relay node: parallel sessions, sessions per minute and budget. State lives in one
 * cluster map entry per key (a Hazelcast IMap when clustered, an in-process map otherwise) and is changed by
 * compare-and-set, so no lock is ever held and a dying node cannot leave one behind.
 *
 * <p>Live sessions are counted per node. A node that leaves the cluster, gracefully or not, drops out of the
 * cluster's member list, and its counts stop counting at once: every read ignores (and the next write removes) the
 * counts of nodes that are no longer members.
 *
 * <p>The shared map is touched only when a session opens or closes, when a WebRTC secret or call is made, and once
 * per billed response; never per frame. Keys without limits (and the master key) never touch it.
 */
public final class KeyLimits {
  static final String MAP_NAME = "rtrelay.key-limits";
  private static final Logger LOG = LoggerFactory.getLogger(KeyLimits.class);
  private static final int MAX_ATTEMPTS = 32;
  private static final long TIMEOUT_MILLIS = 5_000;

  private final Vertx vertx;
  private final AsyncMap<String, String> map;
  private final String nodeId;
  private final Supplier<Collection<String>> liveNodes;
  private final Clock clock;

  KeyLimits(Vertx vertx, AsyncMap<String, String> map, String nodeId, Supplier<Collection<String>> liveNodes,
      Clock clock) {
    this.vertx = vertx;
    this.map = map;
    this.nodeId = nodeId;
    this.liveNodes = liveNodes;
    this.clock = clock;
  }

  /** Limits shared through this Vert.x instance's cluster (or kept in-process when it is not clustered). */
  public static Future<KeyLimits> create(Vertx vertx) {
    ClusterManager cluster = vertx instanceof VertxInternal internal ? internal.clusterManager() : null;
    String nodeId = cluster == null ? "local" : cluster.getNodeId();
    Supplier<Collection<String>> nodes = cluster == null ? () -> List.of(nodeId) : cluster::getNodes;
    return vertx.sharedData().<String, String>getAsyncMap(MAP_NAME)
        .map(map -> new KeyLimits(vertx, map, nodeId, nodes, Clock.systemUTC()));
  }

  /**
   * Admits a realtime session: refuses with 429 when the key is over budget, at {@code max_parallel_requests}, or at
   * {@code rpm_limit}; otherwise counts it. The lease must be released when the session ends.
   */
  public Future<Lease> openSession(Principal principal) {
    KeyQuota quota = principal.quota();
    if (quota.unlimited()) {
      return Future.succeededFuture(Lease.NONE);
    }
    boolean countsLive = quota.maxParallelSessions().isPresent();
    return update(principal.id(), state -> {
      long now = clock.millis();
      state.refresh(liveNodes.get(), now, quota);
      state.checkBudget(principal.id(), quota);
      state.checkParallel(principal.id(), quota);
      state.checkRate(principal.id(), quota, now);
      state.recordOpen(nodeId, countsLive, quota, now);
      return null;
    }).map(v -> countsLive ? new Lease(this, principal.id()) : Lease.NONE);
  }

  /** Admits a WebRTC secret or call: budget and {@code rpm_limit} apply (the relay cannot see a call end). */
  public Future<Void> admitRequest(Principal principal) {
    KeyQuota quota = principal.quota();
    if (quota.maxBudget().isEmpty() && quota.sessionsPerMinute().isEmpty()) {
      return Future.succeededFuture();
    }
    return update(principal.id(), state -> {
      long now = clock.millis();
      state.refresh(liveNodes.get(), now, quota);
      state.checkBudget(principal.id(), quota);
      state.checkRate(principal.id(), quota, now);
      state.recordOpen(nodeId, false, quota, now);
      return null;
    });
  }

  /**
   * Adds a response's cost to the key's spend in the current budget period.
   *
   * @return true when the key is now at or over {@code max_budget}
   */
  public Future<Boolean> addSpend(Principal principal, BigDecimal usd) {
    KeyQuota quota = principal.quota();
    if (quota.maxBudget().isEmpty() || usd.signum() <= 0) {
      return Future.succeededFuture(false);
    }
    return update(principal.id(), state -> {
      state.refresh(liveNodes.get(), clock.millis(), quota);
      return state.addSpend(usd, quota.maxBudget().get());
    });
  }

  private void release(String keyId) {
    update(keyId, state -> {
      state.releaseLive(nodeId, liveNodes.get());
      return null;
    }).onFailure(e -> LOG.warn("key '{}': could not release a session slot ({}); it is freed when this node leaves "
        + "the cluster", keyId, e.toString()));
  }

  /**
   * Reads the key's state, applies {@code change} and writes it back only if nobody else wrote in between; otherwise
   * starts again. {@code change} may throw a {@link RelayException} to refuse without writing.
   */
  private <T> Future<T> update(String keyId, Function<KeyState, T> change) {
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(TIMEOUT_MILLIS, id -> result.tryFail(unavailable("timed out")));
    attempt(entryKey(keyId), change, 0, result);
    return result.future().andThen(ar -> vertx.cancelTimer(timer));
  }

  private <T> void attempt(String key, Function<KeyState, T> change, int attempt, Promise<T> result) {
    if (attempt == MAX_ATTEMPTS) {
      result.tryFail(unavailable("too much contention"));
      return;
    }
    clusterCall(() -> map.get(key)).onComplete(read -> {
      if (read.failed()) {
        result.tryFail(unavailable(read.cause().toString()));
        return;
      }
      String before = read.result();
      KeyState state = before == null ? KeyState.empty() : KeyState.parse(before);
      T value;
      try {
        value = change.apply(state);
      } catch (RuntimeException refused) {
        result.tryFail(refused);
        return;
      }
      String after = state.encode();
      if (after.equals(before)) {
        result.tryComplete(value);
        return;
      }
      Future<Boolean> written = before == null
          ? clusterCall(() -> map.putIfAbsent(key, after)).map(previous -> previous == null)
          : clusterCall(() -> map.replaceIfPresent(key, before, after));
      written.onComplete(w -> {
        if (w.failed()) {
          result.tryFail(unavailable(w.cause().toString()));
        } else if (w.result()) {
          result.tryComplete(value);
        } else {
          attempt(key, change, attempt + 1, result);
        }
      });
    });
  }

  private static String entryKey(String keyId) {
    return "key:" + keyId;
  }

  /**
   * Hazelcast's map throws instead of failing its future once its instance is no longer active (while the node
   * leaves the cluster, or after it was cut off). A throw here would escape the caller's callback and leave the
   * request unanswered, so it becomes a failed future like any other cluster error.
   */
  private static <T> Future<T> clusterCall(Supplier<Future<T>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static RelayException unavailable(String why) {
    LOG.warn("key limits unavailable: {}", why);
    return new RelayException(503, "service_unavailable",
        "Key limits could not be checked (cluster state unavailable); retry shortly", Optional.of(1));
  }

  /** A counted live session; {@link #release} is idempotent. */
  public static final class Lease {
    static final Lease NONE = new Lease(null, null);
    private final KeyLimits limits;
    private final String keyId;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(KeyLimits limits, String keyId) {
      this.limits = limits;
      this.keyId = keyId;
    }

    public void release() {
      if (limits != null && released.compareAndSet(false, true)) {
        limits.release(keyId);
      }
    }
  }
}
