package dev.rtrelay.relay.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.config.DeploymentConfig;
import dev.rtrelay.relay.config.Provider;
import dev.rtrelay.relay.config.RouterSettings;
import dev.rtrelay.relay.config.RoutingStrategy;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Routing order: weights, least-busy, and cooldown with its expiry, on a controlled clock and seeded randomness. */
class DeploymentRouterTest {
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);

  private static DeploymentConfig deployment(String id, double weight) {
    return new DeploymentConfig(id, "voice", Provider.SIMULATED, "m", Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), weight, Optional.empty(), Optional.empty(), Optional.empty(), 0, 50_000);
  }

  private DeploymentRouter router(RoutingStrategy strategy, int allowedFails, double cooldown,
      DeploymentConfig... deployments) {
    return new DeploymentRouter(List.of(deployments), new RouterSettings(strategy, allowedFails, cooldown), clock::get,
        new Random(7));
  }

  @Test
  void simpleShuffleHonoursWeightsForTheFirstPick() {
    DeploymentRouter router = router(RoutingStrategy.SIMPLE_SHUFFLE, 3, 5, deployment("heavy", 3),
        deployment("light", 1));
    ModelGroup group = router.group("voice").orElseThrow();
    int heavyFirst = 0;
    for (int i = 0; i < 10_000; i++) {
      List<DeploymentState> order = router.attemptOrder(group);
      assertEquals(2, order.size(), "every deployment stays available as a fallback");
      if (order.get(0).config().id().equals("heavy")) {
        heavyFirst++;
      }
    }
    assertTrue(heavyFirst > 7_200 && heavyFirst < 7_800, "about 75% first: " + heavyFirst);
  }

  @Test
  void leastBusyPrefersTheDeploymentWithFewestLiveSessions() {
    DeploymentRouter router = router(RoutingStrategy.LEAST_BUSY, 3, 5, deployment("a", 1), deployment("b", 1));
    ModelGroup group = router.group("voice").orElseThrow();
    DeploymentState a = group.deployments().get(0);
    router.sessionStarted(a);
    router.sessionStarted(a);
    for (int i = 0; i < 100; i++) {
      assertEquals("b", router.attemptOrder(group).get(0).config().id());
    }
    router.sessionEnded(a);
    router.sessionEnded(a);
    assertEquals(0, router.liveSessions());
  }

  @Test
  void cooldownStartsAfterAllowedFailsAndEndsAfterCooldownTime() {
    DeploymentRouter router = router(RoutingStrategy.SIMPLE_SHUFFLE, 2, 30, deployment("only", 1));
    ModelGroup group = router.group("voice").orElseThrow();
    DeploymentState only = group.deployments().get(0);
    router.recordFailure(only);
    assertEquals(1, router.attemptOrder(group).size(), "one failure is allowed");
    router.recordFailure(only);
    assertTrue(router.attemptOrder(group).isEmpty(), "cooling down");
    assertEquals(30, router.secondsUntilAvailable(group));
    clock.addAndGet(TimeUnit.SECONDS.toNanos(31));
    assertEquals(1, router.attemptOrder(group).size(), "available again after cooldown_time");
  }

  @Test
  void aSuccessResetsTheFailureCount() {
    DeploymentRouter router = router(RoutingStrategy.SIMPLE_SHUFFLE, 2, 30, deployment("only", 1));
    ModelGroup group = router.group("voice").orElseThrow();
    DeploymentState only = group.deployments().get(0);
    router.recordFailure(only);
    router.recordSuccess(only);
    router.recordFailure(only);
    assertEquals(1, router.attemptOrder(group).size(), "failures must be consecutive");
  }
}
