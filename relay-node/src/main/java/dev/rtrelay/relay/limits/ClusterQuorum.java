package dev.rtrelay.relay.limits;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node may trust the cluster's key-limit counts: it sees at least the configured number of members, and
 * its own view of the membership is current. A node cut off from the others (a network partition) or one that was
 * frozen long enough to be removed (a stopped VM, a long pause) forms a cluster of its own; counting only its own
 * sessions there, it would admit a key that is already at its limit elsewhere. Below the quorum it refuses limited
 * keys and reports not ready until it has rejoined.
 *
 * <p>The quorum is Hazelcast's own split-brain protection on the key-limit map (added by {@code --cluster-quorum}, or
 * declared in the cluster XML with a {@code <minimum-cluster-size>} and referenced by
 * {@code <map name="rtrelay.key-limits">}), so Hazelcast refuses the map's operations below it as well. Without one (local runs, single-member clusters) the
 * quorum is always present.
 *
 * <p>A node that has just been resumed from a freeze still believes in the membership it had before it: for up to the
 * heartbeat timeout it may count members that have long since removed it. So a pause of this process (its clock
 * ticks late) makes the view untrusted for {@code hazelcast.max.no.heartbeat.seconds} plus a second, after which the
 * membership it reports is its real one again.
 */
public final class ClusterQuorum {
  /** A node that has not ticked for this long was paused (or starved): its membership view is not trusted. */
  static final long PAUSE_MILLIS = 3_000;
  static final long TICK_MILLIS = 500;
  private static final Logger LOG = LoggerFactory.getLogger(ClusterQuorum.class);
  private static final ClusterQuorum NONE = new ClusterQuorum(0, () -> 1, 0, System::nanoTime);

  private final int minimum;
  private final IntSupplier members;
  private final long distrustMillis;
  private final LongSupplier nanoClock;
  private volatile long lastTickNanos;
  private volatile long untrustedUntilNanos;
  private long timer = -1;
  private Vertx vertx;
  private volatile Consumer<Boolean> onChange = present -> { };
  private boolean wasPresent = true;

  ClusterQuorum(int minimum, IntSupplier members, long distrustMillis, LongSupplier nanoClock) {
    this.minimum = minimum;
    this.members = members;
    this.distrustMillis = distrustMillis;
    this.nanoClock = nanoClock;
    this.lastTickNanos = nanoClock.getAsLong();
    this.untrustedUntilNanos = lastTickNanos;
  }

  /** No quorum: a node that is not clustered. */
  public static ClusterQuorum none() {
    return NONE;
  }

  /**
   * The quorum configured for the key-limit map in this Vert.x instance's Hazelcast cluster, watched from now on; none
   * (always present) when the node is not clustered or its cluster XML does not protect the map.
   */
  public static ClusterQuorum of(Vertx vertx) {
    ClusterManager manager = vertx instanceof VertxInternal internal ? internal.clusterManager() : null;
    if (!(manager instanceof HazelcastClusterManager hazelcastManager)) {
      return NONE;
    }
    HazelcastInstance hazelcast = hazelcastManager.getHazelcastInstance();
    Config config = hazelcast.getConfig();
    MapConfig map = config.findMapConfig(KeyLimits.MAP_NAME);
    String name = map.getSplitBrainProtectionName();
    SplitBrainProtectionConfig protection = name == null ? null : config.getSplitBrainProtectionConfigs().get(name);
    IntSupplier members = () -> {
      try {
        return hazelcast.getCluster().getMembers().size();
      } catch (RuntimeException notRunning) {
        return 0;
      }
    };
    if (protection == null || !protection.isEnabled() || protection.getMinimumClusterSize() <= 1) {
      return new ClusterQuorum(0, members, 0, System::nanoTime);
    }
    String heartbeat = config.getProperty("hazelcast.max.no.heartbeat.seconds");
    long timeoutMillis = TimeUnit.SECONDS.toMillis(heartbeat == null ? 60 : Long.parseLong(heartbeat.trim()));
    ClusterQuorum quorum = new ClusterQuorum(protection.getMinimumClusterSize(), members, timeoutMillis + 1_000,
        System::nanoTime);
    quorum.vertx = vertx;
    quorum.timer = vertx.setPeriodic(TICK_MILLIS, id -> quorum.tick());
    LOG.info("cluster quorum: {} members (key-limit map '{}' protected by '{}'); now {}", quorum.minimum,
        KeyLimits.MAP_NAME, name, quorum.members());
    return quorum;
  }

  /**
   * Told (on the tick's event loop) each time the quorum is lost or regained, as the ticks find it: at most one
   * listener, the node's key limits.
   */
  void onChange(Consumer<Boolean> listener) {
    onChange = listener;
  }

  /**
   * Notes that the process is running (a late tick means it was paused, and its view is distrusted for a while), and
   * tells the listener when the quorum came or went since the last tick.
   */
  void tick() {
    long now = nanoClock.getAsLong();
    long gap = now - lastTickNanos;
    lastTickNanos = now;
    if (gap >= TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS)) {
      untrustedUntilNanos = now + TimeUnit.MILLISECONDS.toNanos(distrustMillis);
      LOG.warn("this node was paused for {} ms: limited keys are refused for {} s, until its view of the cluster is "
          + "current again", TimeUnit.NANOSECONDS.toMillis(gap), distrustMillis / 1000);
    }
    boolean present = present();
    if (present != wasPresent) {
      wasPresent = present;
      onChange.accept(present);
    }
  }

  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Whether limited keys may be admitted here: enough members are seen, and the view of them is current. */
  public boolean present() {
    return minimum == 0 || (viewTrusted() && members() >= minimum);
  }

  private boolean viewTrusted() {
    long now = nanoClock.getAsLong();
    // A check that runs before the late tick (both resume at once) must not see the old view as current.
    return now - lastTickNanos < TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS) && now - untrustedUntilNanos >= 0;
  }

  /** Why the quorum is absent, for readiness and logs; empty text when it is present. */
  public String absence() {
    if (present()) {
      return "";
    }
    if (!viewTrusted()) {
      return "this node was paused; its view of the cluster is not current yet";
    }
    return "cluster has " + members() + " member(s), quorum is " + minimum;
  }

  /** Members this node sees (1 when not clustered). */
  public int members() {
    return members.getAsInt();
  }

  /** The configured minimum; 0 when there is none. */
  public int minimum() {
    return minimum;
  }
}
