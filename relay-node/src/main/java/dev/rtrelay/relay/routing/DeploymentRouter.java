package dev.rtrelay.relay.routing;

import dev.rtrelay.relay.config.DeploymentConfig;
import dev.rtrelay.relay.config.RouterSettings;
import dev.rtrelay.relay.config.RoutingStrategy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the order in which a group's deployments are tried at connect time. Like LiteLLM's router, routing and
 * failover happen only before the client is upgraded; a live session stays on its deployment.
 */
public final class DeploymentRouter {
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentRouter.class);

  /** Replaced as a whole by a config reload; a session keeps the {@link DeploymentState} it was admitted on. */
  private volatile Map<String, ModelGroup> groups;
  private volatile RouterSettings settings;
  /**
   * States a reload took out of routing while sessions were still open on them: counted in {@link #liveSessions()}
   * (a drain waits for them) until their last session ends.
   */
  private final List<DeploymentState> retired = new CopyOnWriteArrayList<>();
  private final LongSupplier nanoClock;
  private final RandomGenerator random;

  public DeploymentRouter(List<DeploymentConfig> deployments, RouterSettings settings, LongSupplier nanoClock,
      RandomGenerator random) {
    this.groups = build(deployments, Map.of());
    this.settings = settings;
    this.nanoClock = nanoClock;
    this.random = random;
  }

  /**
   * The deployments of a reloaded config, for every admission from now on. A deployment whose entry is unchanged
   * (same id, same settings) keeps its state: live sessions, cooldown and recent latency carry over. A changed or
   * removed one gets out of routing; its open sessions go on, on the state they hold.
   */
  public synchronized Change replace(List<DeploymentConfig> deployments, RouterSettings settings) {
    Map<String, DeploymentState> current = new LinkedHashMap<>();
    groups.values().forEach(g -> g.deployments().forEach(d -> current.put(d.config().id(), d)));
    Map<String, ModelGroup> next = build(deployments, current);
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    Set<DeploymentState> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    next.values().forEach(g -> g.deployments().forEach(d -> {
      DeploymentState before = current.get(d.config().id());
      if (before == d) {
        kept.add(d);
      } else if (before == null) {
        added.add(d.config().id());
      } else {
        changed.add(d.config().id());
      }
    }));
    List<String> removed = new ArrayList<>();
    for (DeploymentState d : current.values()) {
      if (!kept.contains(d)) {
        if (!changed.contains(d.config().id())) {
          removed.add(d.config().id());
        }
        if (d.liveSessions() > 0) {
          retired.add(d);
        }
      }
    }
    this.settings = settings;
    this.groups = next;
    retired.removeIf(d -> d.liveSessions() == 0);
    return new Change(List.copyOf(added), List.copyOf(changed), List.copyOf(removed));
  }

  /** What a reload did to the deployments, by id. */
  public record Change(List<String> added, List<String> changed, List<String> removed) {
    public boolean none() {
      return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
    }
  }

  private static Map<String, ModelGroup> build(List<DeploymentConfig> deployments,
      Map<String, DeploymentState> reusable) {
    Map<String, List<DeploymentState>> byAlias = new LinkedHashMap<>();
    for (DeploymentConfig d : deployments) {
      DeploymentState before = reusable.get(d.id());
      DeploymentState state = before != null && before.config().equals(d) ? before : new DeploymentState(d);
      byAlias.computeIfAbsent(d.modelName(), a -> new ArrayList<>()).add(state);
    }
    Map<String, ModelGroup> built = new LinkedHashMap<>();
    byAlias.forEach((alias, states) -> built.put(alias, new ModelGroup(alias, List.copyOf(states))));
    return Map.copyOf(built);
  }

  public static DeploymentRouter of(List<DeploymentConfig> deployments, RouterSettings settings) {
    return new DeploymentRouter(deployments, settings, System::nanoTime, new Random());
  }

  public Optional<ModelGroup> group(String alias) {
    return Optional.ofNullable(groups.get(alias));
  }

  /** A deployment by its id, e.g. the one a WebRTC client secret was issued by. */
  public Optional<DeploymentState> deployment(String id) {
    for (ModelGroup g : groups.values()) {
      for (DeploymentState d : g.deployments()) {
        if (d.config().id().equals(id)) {
          return Optional.of(d);
        }
      }
    }
    return Optional.empty();
  }

  public List<String> aliases() {
    return groups.keySet().stream().sorted().toList();
  }

  /** Sessions currently open on this node, across every group, those on deployments a reload took out included. */
  public int liveSessions() {
    int total = 0;
    for (ModelGroup g : groups.values()) {
      for (DeploymentState d : g.deployments()) {
        total += d.liveSessions();
      }
    }
    for (DeploymentState d : retired) {
      total += d.liveSessions();
    }
    return total;
  }

  /** Sessions open on the deployment with this id, on its current state and on any a reload replaced. */
  public int liveSessions(String deploymentId) {
    int total = 0;
    for (ModelGroup g : groups.values()) {
      for (DeploymentState d : g.deployments()) {
        if (d.config().id().equals(deploymentId)) {
          total += d.liveSessions();
        }
      }
    }
    for (DeploymentState d : retired) {
      if (d.config().id().equals(deploymentId)) {
        total += d.liveSessions();
      }
    }
    return total;
  }

  /** Deployments to try, best first; cooled-down ones are left out. */
  public List<DeploymentState> attemptOrder(ModelGroup group) {
    long now = nanoClock.getAsLong();
    List<DeploymentState> healthy = new ArrayList<>();
    for (DeploymentState d : group.deployments()) {
      if (!d.isCoolingDown(now)) {
        healthy.add(d);
      }
    }
    return switch (this.settings.strategy()) {
      case LEAST_BUSY -> leastBusy(healthy);
      case LATENCY_BASED -> fastestFirst(healthy, now);
      case SIMPLE_SHUFFLE -> weightedShuffle(healthy);
    };
  }

  /** Seconds until the first cooled-down deployment of the group is usable again (at least 1). */
  public int secondsUntilAvailable(ModelGroup group) {
    long now = nanoClock.getAsLong();
    long min = group.deployments().stream().mapToLong(d -> d.cooldownRemainingNanos(now)).filter(n -> n > 0).min()
        .orElse(0);
    return (int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(min + 999_999_999L));
  }

  /** @return true when this failure put the deployment in cooldown */
  public boolean recordFailure(DeploymentState deployment) {
    RouterSettings settings = this.settings;
    long cooldownNanos = (long) (settings.cooldownSeconds() * 1e9);
    if (deployment.recordFailure(settings.allowedFails(), cooldownNanos, nanoClock.getAsLong())) {
      LOG.warn("deployment {} cooled down for {} s after {} consecutive failed handshakes",
          deployment.config().id(), settings.cooldownSeconds(), Math.max(1, settings.allowedFails()));
      return true;
    }
    return false;
  }

  public void recordSuccess(DeploymentState deployment) {
    deployment.recordSuccess();
  }

  public void sessionStarted(DeploymentState deployment) {
    deployment.sessionStarted();
  }

  public void sessionEnded(DeploymentState deployment) {
    deployment.sessionEnded();
  }

  private List<DeploymentState> leastBusy(List<DeploymentState> candidates) {
    // Shuffle first so equally busy deployments share load instead of the first one taking every tie.
    List<DeploymentState> shuffled = weightedShuffle(candidates);
    shuffled.sort(Comparator.comparingInt(DeploymentState::liveSessions));
    return shuffled;
  }

  /**
   * Lowest recent time to first audio first (a decaying average, see {@link DecayingAverage}); deployments with no
   * recent figure come before all others, so a new or long-unused deployment is measured; ties in random order.
   */
  private List<DeploymentState> fastestFirst(List<DeploymentState> candidates, long now) {
    List<DeploymentState> shuffled = weightedShuffle(candidates);
    Map<DeploymentState, Long> recent = new java.util.IdentityHashMap<>();
    for (DeploymentState d : shuffled) {
      recent.put(d, d.recentLatencyNanos(now));
    }
    shuffled.sort(Comparator.comparingLong(recent::get));
    return shuffled;
  }

  /** Weighted random order without replacement: the first pick honours {@code weight}, the rest are fallbacks. */
  private List<DeploymentState> weightedShuffle(List<DeploymentState> candidates) {
    List<DeploymentState> pool = new ArrayList<>(candidates);
    List<DeploymentState> order = new ArrayList<>(pool.size());
    while (!pool.isEmpty()) {
      double total = 0;
      for (DeploymentState d : pool) {
        total += d.config().weight();
      }
      double pick = random.nextDouble() * total;
      int chosen = pool.size() - 1;
      for (int i = 0; i < pool.size(); i++) {
        pick -= pool.get(i).config().weight();
        if (pick < 0) {
          chosen = i;
          break;
        }
      }
      order.add(pool.remove(chosen));
    }
    return order;
  }
}
