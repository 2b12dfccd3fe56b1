package dev.rtrelay.cluster;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How a node joins the Vert.x cluster (Hazelcast).
 *
 * @param config Hazelcast XML; empty means the bundled copy of {@code config/cluster.xml} (TCP-IP on 127.0.0.1)
 * @param host address the event bus binds and advertises; must be reachable by the other members (pod IP in k8s)
 * @param clusterName overrides the config's cluster name (tests use a unique one per run)
 */
public record ClusterOptions(Optional<Path> config, String host, Optional<String> clusterName) {
  public static ClusterOptions local(String clusterName) {
    return new ClusterOptions(Optional.empty(), "127.0.0.1", Optional.of(clusterName));
  }
}
