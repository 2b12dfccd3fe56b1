package dev.rtrelay.cluster;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The cluster options both node jars accept, as one picocli mixin so they cannot drift apart. */
public final class ClusterCli {
  @Option(names = "--cluster",
      description = "Join the Vert.x cluster (Hazelcast): relay nodes reach logger nodes through its event bus.")
  public boolean enabled;

  @Option(names = "--cluster-config", paramLabel = "XML",
      description = "Hazelcast config (default: the bundled copy of config/cluster.xml, TCP-IP on 127.0.0.1).")
  Path config;

  @Option(names = "--cluster-host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
      description = "Event-bus address advertised to the cluster (default: ${DEFAULT-VALUE}; the pod IP in k8s).")
  String host;

  @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "${env:RTRELAY_CLUSTER_NAME}",
      description = "Cluster name, over the config's (default: $RTRELAY_CLUSTER_NAME, else the config's, 'rtrelay'). "
          + "Nodes join only a cluster of the same name: give each local setup its own.")
  String name;

  @Option(names = "--cluster-quorum", paramLabel = "N", defaultValue = "${env:RTRELAY_CLUSTER_QUORUM:-0}",
      description = "Members a relay must see to admit keys with limits (0: no quorum; default: $RTRELAY_CLUSTER_QUORUM "
          + "or 0). Set it to more than half of the cluster's members, relays and loggers, on every node.")
  int quorum;

  /** What is wrong with these options, if anything (the node exits 2 with it). */
  public Optional<String> problem() {
    return quorum < 0 || quorum == 1
        ? Optional.of("--cluster-quorum must be 0 (none) or at least 2, not " + quorum) : Optional.empty();
  }

  public ClusterOptions options() {
    return new ClusterOptions(Optional.ofNullable(config), host,
        Optional.ofNullable(name).map(String::trim).filter(n -> !n.isEmpty()), quorum);
  }
}
