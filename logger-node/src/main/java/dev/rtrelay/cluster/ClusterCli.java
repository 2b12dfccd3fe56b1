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

  public ClusterOptions options() {
    return new ClusterOptions(Optional.ofNullable(config), host, Optional.empty());
  }
}
