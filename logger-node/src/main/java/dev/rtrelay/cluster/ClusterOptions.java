package dev.rtrelay.cluster;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How a node joins the Vert.x cluster (Hazelcast).
 *
 * @param config Hazelcast XML; empty means the bundled copy of {@code config/cluster.xml} (TCP-IP on 127.0.0.1)
 * @param host address the event bus binds and advertises; must be reachable by the other members (pod IP in k8s)
 * @param clusterName overrides the config's cluster name (tests use a unique one per run)
 * @param quorum members a relay must see to admit keys with limits, set as Hazelcast split-brain protection on the
 *     key-limit map; 0 for none (the config may still declare one)
 */
public record ClusterOptions(Optional<Path> config, String host, Optional<String> clusterName, int quorum) {
  /** The name of the split-brain protection {@link #quorum} adds. */
  public static final String QUORUM_NAME = "rtrelay-quorum";
  /** The map it protects (the relays' per-key limits). */
  public static final String KEY_LIMITS_MAP = "rtrelay.key-limits";

  public static ClusterOptions local(String clusterName) {
    return new ClusterOptions(Optional.empty(), "127.0.0.1", Optional.of(clusterName), 0);
  }

  public ClusterOptions withQuorum(int members) {
    return new ClusterOptions(config, host, clusterName, members);
  }
}
