package dev.rtrelay.relay.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.auth.Principal;
import dev.rtrelay.relay.config.KeyQuota;
import dev.rtrelay.relay.http.RelayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.junit5.VertxExtension;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shared key limits over Vert.x's real async map: two "nodes" are two {@link KeyLimits} on one map with their own
 * node ids, and the cluster's member list is a set the test controls.
 */
@ExtendWith(VertxExtension.class)
class KeyLimitsTest {
  private final AtomicLong now = new AtomicLong(Instant.parse("2026-11-26T12:00:00Z").toEpochMilli());
  private final Set<String> members = new CopyOnWriteArraySet<>(List.of("a", "b"));
  private KeyLimits nodeA;
  private KeyLimits nodeB;
  private AsyncMap<String, String> map;

  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now.get());
    }
  };

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    map = vertx.sharedData().<String, String>getAsyncMap("limits-test-" + System.nanoTime())
        .await(5, TimeUnit.SECONDS);
    nodeA = new KeyLimits(vertx, map, "a", () -> members, clock);
    nodeB = new KeyLimits(vertx, map, "b", () -> members, clock);
  }

  private static Principal key(KeyQuota quota) {
    return new Principal("k", Set.of(), quota, Optional.empty(), Map.of(), List.of());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(5, TimeUnit.SECONDS);
  }

  private static RelayException refusal(Future<?> f) throws Exception {
    try {
      f.await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      if (cause instanceof RelayException r) {
        return r;
      }
      throw e;
    }
    throw new AssertionError("expected a refusal");
  }

  @Test
  void parallelSessionsAreCountedAcrossNodesAndFreedOnRelease() throws Exception {
    Principal p = key(new KeyQuota(Optional.of(2), Optional.empty(), Optional.empty(), Optional.empty()));
    KeyLimits.Lease first = await(nodeA.openSession(p));
    await(nodeB.openSession(p));
    RelayException refused = refusal(nodeA.openSession(p));
    assertEquals(429, refused.status());
    assertTrue(refused.getMessage().contains("max_parallel_requests"), refused.getMessage());
    first.release();
    first.release(); // idempotent: must not free a second slot
    await(waitUntilOpens(nodeA, p));
    assertEquals(429, refusal(nodeB.openSession(p)).status());
  }

  @Test
  void aNodeThatLeftTheClusterStopsCounting() throws Exception {
    Principal p = key(new KeyQuota(Optional.of(1), Optional.empty(), Optional.empty(), Optional.empty()));
    await(nodeB.openSession(p));
    assertEquals(429, refusal(nodeA.openSession(p)).status());
    members.remove("b"); // b crashed: it never released its lease
    await(nodeA.openSession(p));
  }

  @Test
  void aCountTheClusterMapGotWrongIsHealedFromTheNodesOwnLeases() throws Exception {
    Principal p = key(new KeyQuota(Optional.of(2), Optional.empty(), Optional.empty(), Optional.empty()));
    KeyLimits.Lease first = await(nodeA.openSession(p));
    await(nodeA.openSession(p));
    first.release();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!"{\"live\":{\"a\":1}}".equals(await(map.get("key:k"))) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals("{\"live\":{\"a\":1}}", await(map.get("key:k")));
    // A release the map never got (the cluster was unreachable for every retry): a holds 1 session, the map says 2.
    await(map.put("key:k", "{\"live\":{\"a\":2}}"));
    assertEquals(429, refusal(nodeB.openSession(p)).status());

    await(nodeA.reconcile());

    await(nodeB.openSession(p));
    assertEquals(429, refusal(nodeB.openSession(p)).status(), "a's one session and b's one: at the limit again");
  }

  @Test
  void belowTheQuorumLimitedKeysAreRefusedSpendIsKeptAndBothReachTheClusterOnceItIsBack(Vertx vertx)
      throws Exception {
    AtomicLong nanos = new AtomicLong();
    java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger(3);
    ClusterQuorum quorum = new ClusterQuorum(2, seen::get, 9_000, nanos::get);
    KeyLimits cut = new KeyLimits(vertx, map, "a", () -> members, clock, 5_000, quorum);
    Principal limited = key(new KeyQuota(Optional.of(2), Optional.empty(), Optional.of(new BigDecimal("10")),
        Optional.empty()));
    Principal unlimited = key(KeyQuota.NONE);
    KeyLimits.Lease held = await(cut.openSession(limited));

    seen.set(1); // the others are gone: a cluster of one
    RelayException refused = refusal(cut.openSession(limited));
    assertEquals(503, refused.status());
    assertTrue(refused.getMessage().contains("quorum"), refused.getMessage());
    assertEquals(1, cut.unavailableCount(KeyLimits.Unavailable.NO_QUORUM));
    assertEquals(503, refusal(cut.admitRequest(limited)).status());
    await(cut.openSession(unlimited)); // keys without limits need no cluster state
    assertFalse(await(cut.addSpend(limited, new BigDecimal("1.5"))), "deferred, never failed");
    assertEquals(new BigDecimal("1.5"), cut.deferredSpend("k"));
    held.release(); // counted locally; the entry is not written below the quorum
    assertEquals("{\"live\":{\"a\":1}}", await(map.get("key:k")));

    seen.set(3);
    await(cut.reconcile());
    assertEquals(BigDecimal.ZERO, cut.deferredSpend("k"));
    String entry = await(map.get("key:k"));
    assertFalse(entry.contains("\"a\":1"), "the released session is written once the quorum is back: " + entry);
    assertTrue(entry.contains("1.5"), "the deferred spend is added: " + entry);
  }

  @Test
  void aPausedNodeDistrustsItsMembershipUntilTheHeartbeatTimeoutHasPassed() {
    AtomicLong nanos = new AtomicLong();
    ClusterQuorum quorum = new ClusterQuorum(2, () -> 3, 9_000, nanos::get);
    List<Boolean> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
    quorum.onChange(changes::add);
    assertTrue(quorum.present());
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ClusterQuorum.TICK_MILLIS));
    quorum.tick();
    assertTrue(quorum.present(), "ticking on time");
    // Frozen for 20 s: before its late tick runs, a check already sees that it has not ticked.
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(20));
    assertFalse(quorum.present());
    assertTrue(quorum.absence().contains("paused"), quorum.absence());
    quorum.tick();
    for (int i = 0; i < 17; i++) { // 8.5 s of timely ticks: still within the distrust period
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ClusterQuorum.TICK_MILLIS));
      quorum.tick();
      assertFalse(quorum.present(), "tick " + i);
    }
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ClusterQuorum.TICK_MILLIS));
    quorum.tick();
    assertTrue(quorum.present(), "9 s after the pause its view is trusted again");
    assertEquals("", quorum.absence());
    assertEquals(List.of(false, true), changes, "the listener (the key limits) hears it go and come back");
  }

  @Test
  void aShortPauseDoesNotCostTheQuorum() {
    AtomicLong nanos = new AtomicLong();
    ClusterQuorum quorum = new ClusterQuorum(2, () -> 2, 9_000, nanos::get);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ClusterQuorum.PAUSE_MILLIS - 1));
    quorum.tick();
    assertTrue(quorum.present(), "a GC pause below the threshold");
    assertEquals(1, new ClusterQuorum(2, () -> 1, 9_000, nanos::get).members());
    assertFalse(new ClusterQuorum(2, () -> 1, 9_000, nanos::get).present(), "one member of two");
  }

  @Test
  void anAdmissionThatTimedOutAfterItsWriteLandedGivesItsSlotBack(Vertx vertx) throws Exception {
    // A real Hazelcast map (cluster round trips of a millisecond or more) and a 1 ms timeout: most admissions are
    // refused with 503 while their write is on its way, and land anyway.
    Vertx clustered = dev.rtrelay.cluster.ClusteredVertx.start(dev.rtrelay.cluster.ClusterOptions.local(
        "limits-test-" + java.util.UUID.randomUUID())).await(120, TimeUnit.SECONDS);
    try {
      AsyncMap<String, String> slow = clustered.sharedData().<String, String>getAsyncMap("limits-late")
          .await(10, TimeUnit.SECONDS);
      KeyLimits hurried = new KeyLimits(clustered, slow, "a", () -> members, clock, 1);
      KeyLimits patient = new KeyLimits(clustered, slow, "a", () -> members, clock);
      Principal p = key(new KeyQuota(Optional.of(1000), Optional.empty(), Optional.empty(), Optional.empty()));
      List<Future<KeyLimits.Lease>> attempts = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        attempts.add(hurried.openSession(p));
      }
      Future.join(attempts).otherwiseEmpty().await(10, TimeUnit.SECONDS);
      long refused = attempts.stream().filter(Future::failed).count();
      attempts.stream().filter(Future::succeeded).forEach(f -> f.result().release());
      // Every admitted session released, every refused one compensated: the key's count returns to zero.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      String entry = slow.get("key:k").await(5, TimeUnit.SECONDS);
      while (entry != null && entry.contains("\"live\"") && System.nanoTime() < deadline) {
        Thread.sleep(50);
        entry = slow.get("key:k").await(5, TimeUnit.SECONDS);
      }
      assertTrue(refused > 0, "the 1 ms timeout refused nothing; the test proves nothing");
      // Every 503 is counted; so are the compensating releases that timed out in turn (they are retried).
      assertTrue(hurried.unavailableCount(KeyLimits.Unavailable.TIMEOUT) >= refused, "each 503 counted");
      assertFalse(entry != null && entry.contains("\"live\""), "slots left counted: " + entry);
      await(patient.openSession(p));
    } finally {
      clustered.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void concurrentOpensNeverOvershootTheLimit() throws Exception {
    Principal p = key(new KeyQuota(Optional.of(5), Optional.empty(), Optional.empty(), Optional.empty()));
    List<Future<KeyLimits.Lease>> attempts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      attempts.add((i % 2 == 0 ? nodeA : nodeB).openSession(p));
    }
    Future.join(attempts).otherwiseEmpty().await(10, TimeUnit.SECONDS);
    long admitted = attempts.stream().filter(Future::succeeded).count();
    assertEquals(5, admitted);
  }

  @Test
  void sessionsPerMinuteSlideWithTimeAndSayWhenToRetry() throws Exception {
    Principal p = key(new KeyQuota(Optional.empty(), Optional.of(2), Optional.empty(), Optional.empty()));
    await(nodeA.openSession(p));
    now.addAndGet(20_000);
    await(nodeB.admitRequest(p));
    RelayException refused = refusal(nodeA.openSession(p));
    assertEquals(429, refused.status());
    assertEquals(Optional.of(40), refused.retryAfterSeconds(), "the first open leaves the window in 40 s");
    now.addAndGet(40_000);
    await(nodeA.openSession(p));
  }

  @Test
  void budgetIsExactSharedAndResetsEachPeriod() throws Exception {
    Principal p = key(new KeyQuota(Optional.empty(), Optional.empty(), Optional.of(new BigDecimal("0.30")),
        Optional.of(Duration.ofDays(1))));
    await(nodeA.openSession(p));
    for (int i = 0; i < 2; i++) {
      // 0.1 is not exact in binary floating point: three of them would not reach 0.3 with doubles.
      assertFalse(await(nodeA.addSpend(p, new BigDecimal("0.1"))));
    }
    assertTrue(await(nodeB.addSpend(p, new BigDecimal("0.1"))), "0.1 + 0.1 + 0.1 reaches 0.30 exactly");
    RelayException refused = refusal(nodeA.openSession(p));
    assertEquals(429, refused.status());
    assertEquals("budget_exceeded", refused.type());
    assertEquals(429, refusal(nodeB.admitRequest(p)).status());
    now.addAndGet(Duration.ofDays(1).toMillis());
    await(nodeB.openSession(p));
  }

  @Test
  void unlimitedKeysNeverTouchTheSharedMap() throws Exception {
    Principal p = key(KeyQuota.NONE);
    for (int i = 0; i < 3; i++) {
      await(nodeA.openSession(p));
    }
    assertFalse(await(nodeA.addSpend(p, BigDecimal.TEN)));
    members.clear(); // even with no cluster at all
    await(nodeA.openSession(p));
  }

  /** A released slot is freed asynchronously; poll until an open succeeds. */
  private static Future<KeyLimits.Lease> waitUntilOpens(KeyLimits node, Principal p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      Future<KeyLimits.Lease> f = node.openSession(p);
      try {
        f.await(5, TimeUnit.SECONDS);
        return f;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  private static Principal teamKey(String alias, KeyQuota teamQuota) {
    return new Principal(alias, Set.of(), KeyQuota.NONE, Optional.of("support"), Map.of(), List.of(), teamQuota);
  }

  @Test
  void aTeamsLimitsCountEveryKeyOfTheTeamAcrossNodes() throws Exception {
    KeyQuota team = new KeyQuota(Optional.of(2), Optional.empty(), Optional.of(new BigDecimal("1.00")),
        Optional.of(Duration.ofDays(30)));
    KeyLimits.Lease first = await(nodeA.openSession(teamKey("agent-1", team)));
    KeyLimits.Lease second = await(nodeB.openSession(teamKey("agent-2", team)));
    RelayException full = refusal(nodeA.openSession(teamKey("agent-3", team)));
    assertEquals(429, full.status());
    assertTrue(full.getMessage().startsWith("Team 'support' already has 2"), full.getMessage());
    second.release();
    Poll.until(() -> {
      try {
        KeyLimits.Lease third = await(nodeA.openSession(teamKey("agent-3", team)));
        third.release();
        return true;
      } catch (Exception e) {
        return false;
      }
    });
    first.release();

    // Spend of every key adds up on the team; the response that reaches the team's budget says so.
    assertEquals(new KeyLimits.OverBudget(false, false), await(nodeA.spend(teamKey("agent-1", team),
        new BigDecimal("0.60"))));
    assertEquals(new KeyLimits.OverBudget(false, true), await(nodeB.spend(teamKey("agent-2", team),
        new BigDecimal("0.40"))));
    RelayException spent = refusal(nodeB.openSession(teamKey("agent-4", team)));
    assertEquals(429, spent.status());
    assertTrue(spent.getMessage().startsWith("Team 'support' has used its budget"), spent.getMessage());
  }

  /** Polls a condition for up to 5 s (a release is written asynchronously). */
  private static final class Poll {
    static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!condition.getAsBoolean()) {
        assertTrue(System.nanoTime() < deadline, "condition not met within 5 s");
        Thread.sleep(10);
      }
    }
  }
}
