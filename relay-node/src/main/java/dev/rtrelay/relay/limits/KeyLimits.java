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
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>Each node changes a key's entry one change at a time (a queue per key), so a popular key costs one cluster
 * round trip per change and never a storm of compare-and-set retries among the node's own event loops; contention
 * is left only between nodes. The node's own count of live sessions per key is kept locally too, and is the truth:
 * every {@link #RECONCILE_MILLIS} the node writes it over its entry, so a count the cluster map got wrong (a release
 * that could not be written, an admission that timed out after its write landed) heals within that time.
 */
public final class KeyLimits {
  static final String MAP_NAME = "rtrelay.key-limits";
  private static final Logger LOG = LoggerFactory.getLogger(KeyLimits.class);
  private static final int MAX_ATTEMPTS = 32;
  private static final long TIMEOUT_MILLIS = 5_000;
  static final long RECONCILE_MILLIS = 30_000;
  private static final long RELEASE_RETRY_MILLIS = 1_000;
  private static final int RELEASE_ATTEMPTS = 5;
  /** A read the cluster failed (not timed out) is tried again after this, within the change's timeout. */
  private static final long READ_RETRY_MILLIS = 250;
  private static final AtomicLong LOCAL_INSTANCES = new AtomicLong();

  private final Vertx vertx;
  private final AsyncMap<String, String> map;
  private final String nodeId;
  private final Supplier<Collection<String>> liveNodes;
  private final Clock clock;
  private final long timeoutMillis;
  private final ClusterQuorum quorum;
  /**
   * Spend this node could not add to the cluster entry yet (no quorum, or the cluster refused the write): added by the
   * next reconciliation, so that a budget is not reset by a partition.
   */
  private final ConcurrentHashMap<String, DeferredSpend> deferredSpend = new ConcurrentHashMap<>();
  /** This node's live sessions per key, as counted by its leases: what the cluster entry should say for this node. */
  private final ConcurrentHashMap<String, AtomicInteger> leased = new ConcurrentHashMap<>();
  /** Per key, the last change this node queued: the next one starts when it is done. */
  private final ConcurrentHashMap<String, Future<?>> queues = new ConcurrentHashMap<>();
  private long reconcileTimer = -1;
  /** Where spend is checkpointed beyond the cluster's memory; none unless the node keeps state in Kafka. */
  private volatile SpendLedger ledger = SpendLedger.NONE;
  private final AtomicLong[] unavailableCounts =
      java.util.stream.Stream.generate(AtomicLong::new).limit(Unavailable.values().length).toArray(AtomicLong[]::new);

  KeyLimits(Vertx vertx, AsyncMap<String, String> map, String nodeId, Supplier<Collection<String>> liveNodes,
      Clock clock) {
    this(vertx, map, nodeId, liveNodes, clock, TIMEOUT_MILLIS);
  }

  KeyLimits(Vertx vertx, AsyncMap<String, String> map, String nodeId, Supplier<Collection<String>> liveNodes,
      Clock clock, long timeoutMillis) {
    this(vertx, map, nodeId, liveNodes, clock, timeoutMillis, ClusterQuorum.none());
  }

  KeyLimits(Vertx vertx, AsyncMap<String, String> map, String nodeId, Supplier<Collection<String>> liveNodes,
      Clock clock, long timeoutMillis, ClusterQuorum quorum) {
    this.quorum = quorum;
    this.vertx = vertx;
    this.map = map;
    this.nodeId = nodeId;
    this.liveNodes = liveNodes;
    this.clock = clock;
    this.timeoutMillis = timeoutMillis;
  }

  /** Limits shared through this Vert.x instance's cluster (or kept in-process when it is not clustered). */
  public static Future<KeyLimits> create(Vertx vertx) {
    return create(vertx, ClusterQuorum.none());
  }

  /** @param quorum whether this node may trust the cluster's counts (below it, limited keys are refused) */
  public static Future<KeyLimits> create(Vertx vertx, ClusterQuorum quorum) {
    ClusterManager cluster = vertx instanceof VertxInternal internal ? internal.clusterManager() : null;
    // In-process, several nodes may share one Vert.x instance (tests, the warm-up): each counts under its own name.
    String nodeId = cluster == null ? "local-" + LOCAL_INSTANCES.incrementAndGet() : cluster.getNodeId();
    Supplier<Collection<String>> nodes = cluster == null ? () -> List.of(nodeId) : cluster::getNodes;
    return vertx.sharedData().<String, String>getAsyncMap(MAP_NAME)
        .map(map -> new KeyLimits(vertx, map, nodeId, nodes, Clock.systemUTC(), TIMEOUT_MILLIS, quorum)
            .startReconciling());
  }

  private KeyLimits startReconciling() {
    reconcileTimer = vertx.setPeriodic(RECONCILE_MILLIS, id -> reconcile());
    if (quorum.minimum() > 0) {
      // Only a configured quorum ticks (and comes and goes); the shared no-quorum instance is never told anything.
      quorum.onChange(this::quorumChanged);
    }
    return this;
  }

  /**
   * Back in the cluster's majority after a partition or a freeze: the entries there never saw this node's sessions and
   * spend of the meantime (and a merge keeps the majority's entries), so they are written at once rather than at the
   * next periodic reconciliation.
   */
  private void quorumChanged(boolean present) {
    if (present) {
      LOG.info("cluster quorum regained ({} members): writing this node's live sessions and spend", quorum.members());
      reconcile();
    } else {
      LOG.warn("cluster quorum lost ({}): keys with limits are refused here until it is back", quorum.absence());
    }
  }

  /**
   * A key's usage as the cluster holds it: spend in the current budget period (tracked for keys with
   * {@code max_budget}), when that period ends, and live sessions across the cluster. Empty when nothing was recorded.
   */
  public Future<Optional<KeyUsage>> usage(String keyId, KeyQuota quota) {
    String key = entryKey(keyId);
    return clusterCall(() -> map.get(key)).timeout(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS)
        .map(json -> {
          Optional<SpendLedger.Checkpoint> resumed = json == null ? ledger.last(key) : Optional.empty();
          if (json == null && resumed.isEmpty()) {
            return Optional.empty();
          }
          KeyState state = json != null ? KeyState.parse(json) : KeyState.resumed(resumed.get());
          state.refresh(liveNodes.get(), clock.millis(), quota);
          return Optional.of(new KeyUsage(state.spend(), state.periodEnd(quota), state.liveSessions()));
        });
  }

  /** What {@link #usage} reads. @param periodEnd when the spend resets; empty without a budget_duration */
  public record KeyUsage(BigDecimal spend, Optional<java.time.Instant> periodEnd, int liveSessions) {}

  /**
   * Checkpoints spend in {@code ledger}, and resumes a key the cluster has no entry for (every node restarted) from
   * its last checkpoint.
   */
  public void useLedger(SpendLedger ledger) {
    this.ledger = ledger;
  }

  /** The quorum this node's admissions depend on. */
  public ClusterQuorum quorum() {
    return quorum;
  }

  /** Stops the periodic reconciliation (the node is closing). */
  public void close() {
    if (reconcileTimer >= 0) {
      vertx.cancelTimer(reconcileTimer);
      reconcileTimer = -1;
    }
    quorum.close();
  }

  /**
   * Writes this node's live count of every key it has leased over the key's entry, where they differ; keys back at
   * zero are then forgotten locally. Completes when every key was tried.
   */
  Future<Void> reconcile() {
    if (!quorum.present()) {
      // Written to a minority's map, the counts would be discarded by the merge; they are written once it is over.
      return Future.succeededFuture();
    }
    List<Future<Void>> writes = new ArrayList<>();
    for (String keyId : List.copyOf(deferredSpend.keySet())) {
      DeferredSpend deferred = deferredSpend.remove(keyId);
      if (deferred != null) {
        writes.add(writeSpend(keyId, deferred.usd, deferred.quota).<Void>mapEmpty().otherwiseEmpty());
      }
    }
    for (Map.Entry<String, AtomicInteger> entry : leased.entrySet()) {
      String keyId = entry.getKey();
      writes.add(update(keyId, state -> {
        state.setLive(nodeId, entry.getValue().get(), liveNodes.get());
        return null;
      }, null).<Void>mapEmpty().andThen(done -> {
        if (done.succeeded()) {
          leased.computeIfPresent(keyId, (k, count) -> count.get() == 0 ? null : count);
        }
      }));
    }
    return Future.join(writes).mapEmpty();
  }

  /**
   * Admits a realtime session: refuses with 429 when the key is over budget, at {@code max_parallel_requests}, or at
   * {@code rpm_limit}; otherwise counts it. The lease must be released when the session ends.
   */
  public Future<Lease> openSession(Principal principal) {
    Future<Lease> key = open(principal.id(), "Key '" + principal.id() + "'", principal.quota());
    Optional<String> team = principal.teamId();
    if (team.isEmpty() || principal.teamQuota().unlimited()) {
      return key;
    }
    // The team's limits count every session of its keys, on top of each key's own; a team refusal gives the key's
    // slot back.
    return key.compose(keyLease -> open(teamEntry(team.get()), "Team '" + team.get() + "'", principal.teamQuota())
        .map(keyLease::and).onFailure(e -> keyLease.release()));
  }

  private Future<Lease> open(String keyId, String who, KeyQuota quota) {
    if (quota.unlimited()) {
      return Future.succeededFuture(Lease.NONE);
    }
    boolean countsLive = quota.maxParallelSessions().isPresent();
    if (!quorum.present()) {
      return noQuorum();
    }
    return update(keyId, state -> {
      long now = clock.millis();
      state.refresh(liveNodes.get(), now, quota);
      state.checkBudget(who, quota);
      state.checkParallel(who, quota);
      state.checkRate(who, quota, now);
      state.recordOpen(nodeId, countsLive, quota, now);
      return null;
    }, countsLive ? new Written() {
      @Override
      public void written() {
        leased.computeIfAbsent(keyId, k -> new AtomicInteger()).incrementAndGet();
      }

      @Override
      public void tooLate() {
        // The caller was refused (timeout) but the count landed: take it back, so no slot is held without a lease.
        release(keyId);
      }
    } : null).map(v -> countsLive ? new Lease(this, keyId) : Lease.NONE);
  }


  /** Admits a WebRTC secret or call: budget and {@code rpm_limit} apply (the relay cannot see a call end). */
  public Future<Void> admitRequest(Principal principal) {
    Future<Void> key = admit(principal.id(), "Key '" + principal.id() + "'", principal.quota());
    Optional<String> team = principal.teamId();
    if (team.isEmpty() || principal.teamQuota().unlimited()) {
      return key;
    }
    return key.compose(v -> admit(teamEntry(team.get()), "Team '" + team.get() + "'", principal.teamQuota()));
  }

  private Future<Void> admit(String keyId, String who, KeyQuota quota) {
    if (quota.maxBudget().isEmpty() && quota.sessionsPerMinute().isEmpty()) {
      return Future.succeededFuture();
    }
    if (!quorum.present()) {
      return noQuorum();
    }
    return update(keyId, state -> {
      long now = clock.millis();
      state.refresh(liveNodes.get(), now, quota);
      state.checkBudget(who, quota);
      state.checkRate(who, quota, now);
      state.recordOpen(nodeId, false, quota, now);
      return null;
    }, null);
  }

  /**
   * A team's counters live beside its keys', under an id no key alias can take ({@code team:} is refused as the start
   * of an alias).
   */
  public static String teamEntry(String teamId) {
    return TEAM_PREFIX + teamId;
  }

  /** Aliases may not start with this: it names teams' counters. */
  public static final String TEAM_PREFIX = "team:";

  public Future<Boolean> addSpend(Principal principal, BigDecimal usd) {
    return spend(principal, usd).map(over -> over.key() || over.team());
  }

  /** Adds a response's cost to the key and to its team; says which of them is now at or over its budget. */
  public Future<OverBudget> spend(Principal principal, BigDecimal usd) {
    Future<Boolean> key = addSpend(principal.id(), principal.quota(), usd);
    Optional<String> team = principal.teamId();
    Future<Boolean> teamSpend = team.isEmpty() ? Future.succeededFuture(false)
        : addSpend(teamEntry(team.get()), principal.teamQuota(), usd);
    return Future.join(key, teamSpend).transform(done -> Future.succeededFuture(new OverBudget(
        key.succeeded() && key.result(), teamSpend.succeeded() && teamSpend.result())));
  }

  /** Which budgets a spend exhausted. */
  public record OverBudget(boolean key, boolean team) {}

  private Future<Boolean> addSpend(String keyId, KeyQuota quota, BigDecimal usd) {
    if (quota.maxBudget().isEmpty() || usd.signum() <= 0) {
      return Future.succeededFuture(false);
    }
    if (!quorum.present()) {
      defer(keyId, usd, quota);
      return Future.succeededFuture(false);
    }
    return writeSpend(keyId, usd, quota).recover(e -> Future.succeededFuture(false));
  }


  /** Adds the amount to the entry; if it certainly did not land (not a timeout, which may land late), defers it. */
  private Future<Boolean> writeSpend(String keyId, BigDecimal usd, KeyQuota quota) {
    return this.<Boolean>update(keyId, state -> {
      state.refresh(liveNodes.get(), clock.millis(), quota);
      return state.addSpend(usd, quota.maxBudget().get());
    }, null).onFailure(e -> {
      Optional<Unavailable> reason = reasonOf(e);
      if (reason.isPresent() && reason.get() != Unavailable.TIMEOUT) {
        defer(keyId, usd, quota);
      } else {
        LOG.warn("key '{}': spend of {} USD may not have been recorded ({})", keyId, usd.toPlainString(),
            e.getMessage());
      }
    });
  }

  private void defer(String keyId, BigDecimal usd, KeyQuota quota) {
    deferredSpend.merge(keyId, new DeferredSpend(usd, quota), (a, b) -> new DeferredSpend(a.usd.add(b.usd), b.quota));
  }

  /** Spend waiting for the cluster (tests). */
  BigDecimal deferredSpend(String keyId) {
    DeferredSpend d = deferredSpend.get(keyId);
    return d == null ? BigDecimal.ZERO : d.usd;
  }

  private record DeferredSpend(BigDecimal usd, KeyQuota quota) {}

  /** A session ended: the local count drops at once; the cluster entry follows, retried if it cannot be written. */
  private void release(String keyId) {
    AtomicInteger local = leased.get(keyId);
    if (local != null) {
      local.updateAndGet(n -> Math.max(0, n - 1));
    }
    writeRelease(keyId, 1);
  }

  private void writeRelease(String keyId, int attempt) {
    if (!quorum.present()) {
      // The local count already dropped; it is written over the entry once the quorum is back (reconciliation).
      return;
    }
    update(keyId, state -> {
      state.releaseLive(nodeId, liveNodes.get());
      return null;
    }, null).onFailure(e -> {
      if (attempt < RELEASE_ATTEMPTS) {
        vertx.setTimer(RELEASE_RETRY_MILLIS * attempt, id -> writeRelease(keyId, attempt + 1));
      } else {
        LOG.warn("key '{}': could not release a session slot ({}); the next reconciliation (within {} s) frees it",
            keyId, e.toString(), RECONCILE_MILLIS / 1000);
      }
    });
  }

  /** What to do once a change was written: at once, and when it landed after its caller had been refused. */
  private interface Written {
    void written();

    void tooLate();
  }

  /**
   * Reads the key's state, applies {@code change} and writes it back only if nobody else wrote in between; otherwise
   * starts again. {@code change} may throw a {@link RelayException} to refuse without writing. Changes to one key from
   * this node run one after another; the timeout covers the wait for earlier ones too.
   *
   * @param written told when the change was written, or null
   */
  private <T> Future<T> update(String keyId, Function<KeyState, T> change, Written written) {
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(timeoutMillis, id -> unavailable(result, Unavailable.TIMEOUT, "timed out"));
    String key = entryKey(keyId);
    Promise<Void> done = Promise.promise();
    Future<?> previous = queues.put(keyId, done.future());
    Runnable run = () -> {
      if (result.future().isComplete()) {
        // Timed out while waiting its turn: it never starts, so it cannot land late.
        done.complete();
      } else {
        attempt(key, change, written, 0, result, done);
      }
    };
    if (previous == null) {
      run.run();
    } else {
      previous.onComplete(ar -> run.run());
    }
    done.future().onComplete(ar -> queues.remove(keyId, done.future()));
    return result.future().andThen(ar -> vertx.cancelTimer(timer));
  }

  private <T> void attempt(String key, Function<KeyState, T> change, Written written, int attempt, Promise<T> result,
      Promise<Void> done) {
    if (attempt == MAX_ATTEMPTS) {
      unavailable(result, Unavailable.CONTENTION, "too much contention");
      done.complete();
      return;
    }
    clusterCall(() -> map.get(key)).onComplete(read -> {
      if (read.failed()) {
        if (!result.future().isComplete() && attempt + 1 < MAX_ATTEMPTS) {
          // A member leaving or a partition moving: a read changes nothing, so it is safely tried again (by then
          // against the partition's new owner), within the change's timeout.
          vertx.setTimer(READ_RETRY_MILLIS, id -> {
            if (result.future().isComplete()) {
              done.complete();
            } else {
              attempt(key, change, written, attempt + 1, result, done);
            }
          });
          LOG.debug("key limits: a read failed ({}); trying again", read.cause().toString());
          return;
        }
        unavailable(result, Unavailable.CLUSTER_ERROR, read.cause().toString());
        done.complete();
        return;
      }
      String before = read.result();
      KeyState state = before != null ? KeyState.parse(before)
          : ledger.last(key).map(KeyState::resumed).orElseGet(KeyState::empty);
      T value;
      try {
        value = change.apply(state);
      } catch (RuntimeException refused) {
        result.tryFail(refused);
        done.complete();
        return;
      }
      String after = state.encode();
      if (after.equals(before)) {
        result.tryComplete(value);
        done.complete();
        return;
      }
      Future<Boolean> write = before == null
          ? clusterCall(() -> map.putIfAbsent(key, after)).map(previous -> previous == null)
          : clusterCall(() -> map.replaceIfPresent(key, before, after));
      write.onComplete(w -> {
        if (w.failed()) {
          unavailable(result, Unavailable.CLUSTER_ERROR, w.cause().toString());
          done.complete();
        } else if (w.result()) {
          if (written != null) {
            written.written();
          }
          state.checkpoint().ifPresent(c -> ledger.observed(key, c));
          boolean inTime = result.tryComplete(value);
          done.complete();
          if (!inTime && written != null) {
            written.tooLate();
          }
        } else {
          attempt(key, change, written, attempt + 1, result, done);
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

  /** Why a change to a key's entry failed (an admission then gets 503): the metric's {@code reason} label. */
  public enum Unavailable {
    TIMEOUT("timeout"), CONTENTION("contention"), CLUSTER_ERROR("cluster_error"), NO_QUORUM("no_quorum");

    public final String label;

    Unavailable(String label) {
      this.label = label;
    }
  }

  /** Fails the change with 503 (fail closed: the key has limits), once: counted and logged only if it was not done. */
  private void unavailable(Promise<?> result, Unavailable reason, String why) {
    if (result.tryFail(refusal(reason,
        "Key limits could not be checked (cluster state unavailable); retry shortly"))) {
      unavailableCounts[reason.ordinal()].incrementAndGet();
      LOG.warn("key limits unavailable: {}", why);
    }
  }

  /**
   * This node is below the cluster quorum: limited keys are refused with 503 without touching the map (a client
   * retrying reaches another node through the load balancer, which has stopped sending here as readiness fails).
   */
  private <T> Future<T> noQuorum() {
    unavailableCounts[Unavailable.NO_QUORUM.ordinal()].incrementAndGet();
    return Future.failedFuture(refusal(Unavailable.NO_QUORUM,
        "Key limits cannot be checked on this relay (it is not in the cluster's quorum); retry shortly"));
  }

  /** A 503 for the client, whose cause says why (so that deferred spend can tell a timeout from a certain failure). */
  private static RelayException refusal(Unavailable reason, String message) {
    return new RelayException(503, "service_unavailable", message, Optional.of(1), new Unavailability(reason));
  }

  /** The reason behind a 503 from these limits. */
  private static final class Unavailability extends RuntimeException {
    final Unavailable reason;

    Unavailability(Unavailable reason) {
      super(reason.label, null, false, false);
      this.reason = reason;
    }
  }

  private static Optional<Unavailable> reasonOf(Throwable failure) {
    return failure != null && failure.getCause() instanceof Unavailability u ? Optional.of(u.reason)
        : Optional.empty();
  }

  /** Changes the cluster map did not take (admissions refused with 503, releases retried), by reason. */
  public long unavailableCount(Unavailable reason) {
    return unavailableCounts[reason.ordinal()].get();
  }

  /** A counted live session; {@link #release} is idempotent. */
  public static final class Lease {
    static final Lease NONE = new Lease(null, null, null);
    private final KeyLimits limits;
    private final String keyId;
    /** Released with this one: the team's slot taken with the key's. */
    private final Lease next;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(KeyLimits limits, String keyId) {
      this(limits, keyId, null);
    }

    private Lease(KeyLimits limits, String keyId, Lease next) {
      this.limits = limits;
      this.keyId = keyId;
      this.next = next;
    }

    /** This lease and {@code other}, released together. */
    Lease and(Lease other) {
      if (other == NONE) {
        return this;
      }
      if (this == NONE) {
        return other;
      }
      return new Lease(limits, keyId, other);
    }

    public void release() {
      if (limits != null && released.compareAndSet(false, true)) {
        limits.release(keyId);
      }
      if (next != null) {
        next.release();
      }
    }
  }
}
