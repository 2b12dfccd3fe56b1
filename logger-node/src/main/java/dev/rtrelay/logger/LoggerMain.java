package dev.rtrelay.logger;

import dev.rtrelay.cluster.ClusterCli;
import dev.rtrelay.cluster.ClusteredVertx;
import dev.rtrelay.node.NodeExit;
import dev.rtrelay.node.NodeVertxOptions;
import dev.rtrelay.metrics.NodeMetrics;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** Command line entry point of {@code logger-node.jar}. */
@Command(name = "logger-node", mixinStandardHelpOptions = true, version = "rtrelay logger-node 0.1.0",
    sortOptions = false, subcommands = TailCommand.class,
    description = {
        "Joins the relay cluster, consumes realtime session events published by relay nodes, and writes them to one",
        "Kafka topic keyed by session id (JSON values, idempotent producer, lz4). While Kafka is unreachable it keeps",
        "up to --max-buffered-events / --max-buffered-bytes and drops the oldest beyond that (counted).",
        "Exit codes: 0 after a clean shutdown, 2 for bad options, 1 when the node cannot start."})
public final class LoggerMain implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(LoggerMain.class);

  @Mixin
  ClusterCli cluster;

  @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (required).")
  String kafka;

  @Option(names = "--topic", paramLabel = "NAME", defaultValue = "realtime-events",
      description = "Topic to write to (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--max-buffered-events", paramLabel = "N", defaultValue = "200000",
      description = "Events held while Kafka is unreachable (default: ${DEFAULT-VALUE}).")
  int maxBufferedEvents;

  @Option(names = "--max-buffered-bytes", paramLabel = "BYTES", defaultValue = "268435456",
      description = "Bytes held while Kafka is unreachable (default: ${DEFAULT-VALUE}).")
  long maxBufferedBytes;

  @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "9464",
      description = "Port for GET /metrics (Prometheus text) and /health/readiness; 0 disables (default: "
          + "${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--metrics-host", paramLabel = "ADDR", defaultValue = "0.0.0.0",
      description = "Address for the metrics port (default: ${DEFAULT-VALUE}).")
  String metricsHost;

  private Vertx vertx;
  private LoggerNode node;
  private StopSignals stopSignals;

  public static void main(String[] args) {
    LoggerMain main = new LoggerMain();
    int code = new CommandLine(main).execute(args);
    if (code == 0 && main.node != null) {
      code = main.awaitShutdown();
    }
    NodeExit.exit(code);
  }

  @Override
  public Integer call() {
    if (!cluster.enabled) {
      LOG.error("--cluster is required: relay nodes reach logger nodes through the cluster's event bus "
          + "(a relay can also run its own logger: relay-node --kafka HOST:PORT)");
      return 2;
    }
    if (kafka == null || kafka.isBlank()) {
      LOG.error("--kafka HOST:PORT is required");
      return 2;
    }
    if (cluster.problem().isPresent()) {
      LOG.error(cluster.problem().get());
      return 2;
    }
    if (maxBufferedEvents < 1 || maxBufferedBytes < 1) {
      LOG.error("--max-buffered-events and --max-buffered-bytes must be positive");
      return 2;
    }
    LoggerSettings settings = new LoggerSettings(kafka, topic, maxBufferedEvents, maxBufferedBytes,
        LoggerSettings.defaults(kafka).maxInFlight());
    stopSignals = StopSignals.install();
    try {
      NodeMetrics metrics = new NodeMetrics();
      vertx = ClusteredVertx.start(cluster.options(), metrics).await(120, TimeUnit.SECONDS);
      node = LoggerNode.start(vertx, settings, metrics.registry()).await(60, TimeUnit.SECONDS);
      if (metricsPort > 0) {
        LoggerMetricsServer.start(vertx, metrics, metricsHost, metricsPort).await(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      LOG.error("logger failed to start: {}", e.getMessage());
      if (vertx != null) {
        vertx.close();
      }
      return 1;
    }
    LOG.info("logger joined the cluster; writing session events to Kafka {} topic '{}'", kafka, topic);
    LOG.info(NodeVertxOptions.describe(vertx));
    return 0;
  }

  /** @return 0 after a clean shutdown, 1 when a step of it failed or timed out */
  private int awaitShutdown() {
    String signal = stopSignals.await();
    LOG.info("shutting down (SIG{}): flushing buffered events", signal);
    return StopSignals.shutDown(() -> {
      node.close().await(15, TimeUnit.SECONDS);
      vertx.close().await(15, TimeUnit.SECONDS);
    });
  }
}
