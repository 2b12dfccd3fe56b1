package dev.rtrelay.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.config.XmlConfigBuilder;
import dev.rtrelay.metrics.NodeMetrics;
import dev.rtrelay.node.NodeVertxOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;
import java.io.InputStream;

/** Builds a clustered Vert.x instance joined through Hazelcast; shared by relay and logger nodes. */
public final class ClusteredVertx {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusteredVertx.class);
  private ClusteredVertx() {}

  public static Future<Vertx> start(ClusterOptions options) {
    return start(options, null);
  }

  /** @param metrics where Vert.x's own metrics go; null for none */
  public static Future<Vertx> start(ClusterOptions options, NodeMetrics metrics) {
    Config hazelcast;
    try {
      hazelcast = options.config().isPresent()
          ? new FileSystemXmlConfig(options.config().get().toFile())
          : bundledConfig();
    } catch (FileNotFoundException e) {
      return Future.failedFuture(new IllegalArgumentException(options.config().get() + ": cluster config not found"));
    }
    options.clusterName().ifPresent(hazelcast::setClusterName);
    if (options.quorum() > 1) {
      // Hazelcast then refuses the key-limit map's operations on a member that sees fewer members; the relays check
      // the same quorum before admitting a limited key (and report not ready below it).
      hazelcast.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(ClusterOptions.QUORUM_NAME, true,
          options.quorum()));
      hazelcast.getMapConfig(ClusterOptions.KEY_LIMITS_MAP).setSplitBrainProtectionName(ClusterOptions.QUORUM_NAME);
    }
    VertxOptions vertxOptions = NodeVertxOptions.create();
    // Multi-homed hosts and pods must advertise a reachable address, never a guessed one.
    vertxOptions.getEventBusOptions().setHost(options.host()).setClusterPublicHost(options.host()).setPort(0);
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast);
    return (metrics == null ? Vertx.builder().with(vertxOptions) : metrics.vertxBuilder(vertxOptions))
        .withClusterManager(manager)
        .buildClustered()
        .onSuccess(v -> LOG.info("joined cluster '{}' ({} member(s) now; a node joins only a cluster of its name: "
            + "--cluster-name)", hazelcast.getClusterName(),
            manager.getHazelcastInstance().getCluster().getMembers().size()));
  }

  private static Config bundledConfig() {
    InputStream in = ClusteredVertx.class.getResourceAsStream("/rtrelay-cluster.xml");
    if (in == null) {
      throw new IllegalStateException("rtrelay-cluster.xml missing from the classpath");
    }
    return new XmlConfigBuilder(in).build();
  }
}
