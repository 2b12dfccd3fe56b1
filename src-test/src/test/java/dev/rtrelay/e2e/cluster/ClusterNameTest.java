package dev.rtrelay.e2e.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.cluster.ClusterCli;
import dev.rtrelay.cluster.ClusterOptions;
import dev.rtrelay.cluster.ClusteredVertx;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Issue 23, item 3: two local setups on one machine (the same loopback member list) never merge into one cluster when
 * their names differ, and {@code --cluster-name} gives a node its setup's name.
 */
class ClusterNameTest {

  @Test
  void nodesJoinOnlyTheClusterOfTheirNameOnTheSameMachine() throws Exception {
    String first = "setup-a-" + UUID.randomUUID();
    String second = "setup-b-" + UUID.randomUUID();
    List<Future<Vertx>> starts = new ArrayList<>();
    // Concurrently, as two setups starting side by side would: each looks for members on the same loopback ports.
    starts.add(ClusteredVertx.start(ClusterOptions.local(first)));
    starts.add(ClusteredVertx.start(ClusterOptions.local(first)));
    starts.add(ClusteredVertx.start(ClusterOptions.local(second)));
    Future.join(starts).await(120, TimeUnit.SECONDS);
    try {
      // Members found at the same time may first form two clusters and merge seconds later: wait for the merge.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (members(starts.get(0).result()) != 2 || members(starts.get(1).result()) != 2) {
        assertTrue(System.nanoTime() < deadline, "the first setup's two nodes are not one cluster after 60 s");
        Thread.sleep(100);
      }
      assertEquals(1, members(starts.get(2).result()), "the second setup's node stays on its own");
    } finally {
      for (Future<Vertx> start : starts) {
        start.result().close().await(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theClusterNameOptionNamesTheCluster() {
    ClusterCli cli = parse("--cluster", "--cluster-name", " my-setup ");
    assertEquals(Optional.of("my-setup"), cli.options().clusterName());
    assertEquals(Optional.empty(), parse("--cluster").options().clusterName().filter(n -> !n.equals(
        System.getenv("RTRELAY_CLUSTER_NAME"))), "without the option (or its variable) the config's name is kept");
  }

  private static ClusterCli parse(String... args) {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs(args);
    return holder.cluster;
  }

  /** A command with only the mixin, as both node jars mix it in. */
  @CommandLine.Command(name = "test")
  static final class Holder {
    @CommandLine.Mixin
    ClusterCli cluster;
  }

  private static int members(Vertx vertx) {
    return ((VertxInternal) vertx).clusterManager().getNodes().size();
  }
}
