package dev.rtrelay.relay;

import dev.rtrelay.cluster.ClusterCli;
import dev.rtrelay.cluster.ClusteredVertx;
import dev.rtrelay.relay.config.SkippedDeployment;
import dev.rtrelay.relay.http.LogSafe;
import dev.rtrelay.logger.StopSignals;
import dev.rtrelay.logger.LoggerNode;
import dev.rtrelay.logger.LoggerSettings;
import dev.rtrelay.metrics.NodeMetrics;
import dev.rtrelay.node.NodeExit;
import dev.rtrelay.node.NodeVertxOptions;
import dev.rtrelay.relay.config.ConfigException;
import dev.rtrelay.relay.config.ConfigLoader;
import dev.rtrelay.relay.config.KeyDigest;
import dev.rtrelay.relay.config.RelayConfig;
import dev.rtrelay.relay.config.RelaySettings;
import dev.rtrelay.relay.keys.KafkaKeyStore;
import dev.rtrelay.relay.limits.KafkaSpendLedger;
import dev.rtrelay.relay.limits.SpendLedger;
import dev.rtrelay.relay.keys.KeyStore;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** Command line entry point of {@code relay-node.jar}. */
@Command(name = "relay-node", mixinStandardHelpOptions = true, version = "rtrelay relay-node 0.1.0",
    sortOptions = false, subcommands = RelayMain.HashKey.class,
    description = {
        "Realtime-AI relay: serves the OpenAI Realtime WebSocket API at /v1/realtime?model=<model_name> and relays",
        "each session to a deployment from a LiteLLM-format config.yaml (openai/, azure/, xai/, simulated/; gemini/",
        "and vertex_ai/ are translated to and from Gemini Live).",
        "Also: GET /v1/models, WebRTC sign-in; /metrics and /health/* on the management port.",
        "Exit codes: 0 after a clean shutdown, 2 for a configuration error, 1 when the node cannot start."})
public final class RelayMain implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RelayMain.class);

  @Option(names = "--config", paramLabel = "FILE",
      description = "LiteLLM-format config.yaml. Without it an embedded development config is used: model "
          + "'gpt-realtime' on the simulated provider (or OpenAI when OPENAI_API_KEY is set), bound to 127.0.0.1.")
  Path config;

  @Option(names = "--config-watch-seconds", paramLabel = "S", defaultValue = "5",
      description = "With --config: how often the file's content is checked for a change to reload (default: "
          + "${DEFAULT-VALUE}; 0: only on SIGHUP). A reload applies keys, models, deployments, prices and guardrails "
          + "to new sessions; an invalid file is refused and the running config stays.")
  int configWatchSeconds;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "4000",
      description = "Port to listen on (default: ${DEFAULT-VALUE}, LiteLLM's default; 0 picks a free port).")
  int port;

  @Option(names = "--host", paramLabel = "HOST",
      description = "Address to bind (default: 0.0.0.0 with --config, 127.0.0.1 with the embedded config).")
  String host;

  @Option(names = "--management-port", paramLabel = "PORT", defaultValue = "9091",
      description = "Port of the operators' listener: /metrics, /health/liveliness, /health/readiness (default: "
          + "${DEFAULT-VALUE}; 0 picks a free port). Never the clients' port.")
  int managementPort;

  @Option(names = "--management-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "Address the management listener binds (default: ${DEFAULT-VALUE}; in Kubernetes the pod IP or "
          + "0.0.0.0, so that probes and Prometheus reach it, with a NetworkPolicy in front).")
  String managementHost;

  @Option(names = "--tls-cert", paramLabel = "PEM",
      description = "Serve wss:// with this PEM certificate chain (the official SDKs only open wss://).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "PEM private key (PKCS#8 or PKCS#1) for --tls-cert.")
  Path tlsKey;

  @Option(names = "--instances", paramLabel = "N",
      description = "Relay verticle instances, one per event loop (default: number of CPU cores).")
  Integer instances;

  @Mixin
  ClusterCli cluster;

  @Option(names = "--kafka", paramLabel = "HOST:PORT",
      description = "Run a logger inside this process writing session events to this Kafka (no cluster needed).")
  String kafka;

  @Option(names = "--kafka-topic", paramLabel = "NAME", defaultValue = "realtime-events",
      description = "Topic for --kafka (default: ${DEFAULT-VALUE}).")
  String kafkaTopic;

  @Option(names = "--keys-kafka", paramLabel = "HOST:PORT",
      description = "Keep the keys and teams made through the management API in a compacted topic of this Kafka: "
          + "durable, and shared by every relay that uses the same topic (default: the --kafka broker if given; "
          + "otherwise they live in this node's memory).")
  String keysKafka;

  @Option(names = "--keys-topic", paramLabel = "NAME", defaultValue = "rtrelay-keys",
      description = "Compacted topic for --keys-kafka (default: ${DEFAULT-VALUE}; created if missing).")
  String keysTopic;

  @Option(names = "--spend-topic", paramLabel = "NAME", defaultValue = "rtrelay-spend",
      description = "Compacted topic of --keys-kafka where keys' spend is checkpointed, so budgets survive a restart "
          + "of every node (default: ${DEFAULT-VALUE}; created if missing).")
  String spendTopic;

  private final Function<String, String> env;
  private Vertx vertx;
  private RelayNode node;
  private LoggerNode logger;
  private RelaySettings relaySettings = RelaySettings.defaults();
  private StopSignals stopSignals;
  /** The config file's content at start, the reference for the first change the watcher sees. */
  private byte[] configContent;
  private ConfigWatcher watcher;
  private KeyStore keyStore;
  private KafkaSpendLedger spendLedger;

  RelayMain(Function<String, String> env) {
    this.env = env;
  }

  public static void main(String[] args) {
    NodeExit.exit(run(args, System::getenv));
  }

  /** Parses and runs; returns the exit code instead of exiting so tests can drive it. */
  static int run(String[] args, Function<String, String> env) {
    RelayMain main = new RelayMain(env);
    int code = new CommandLine(main).execute(args);
    if (code == 0 && main.node != null) {
      code = main.awaitShutdown();
    }
    return code;
  }

  @Override
  public Integer call() {
    RelayConfig relayConfig;
    ServerOptions options;
    try {
      relayConfig = loadConfig();
      relaySettings = relayConfig.relay();
      describeConfig(relayConfig);
      options = serverOptions();
    } catch (ConfigException e) {
      LOG.error("configuration error: {}", e.getMessage());
      return 2;
    }
    stopSignals = StopSignals.install();
    long started = System.nanoTime();
    boolean publishEvents = cluster.enabled || kafka != null;
    try {
      NodeMetrics metrics = new NodeMetrics();
      vertx = cluster.enabled ? ClusteredVertx.start(cluster.options(), metrics).await(120, TimeUnit.SECONDS)
          : metrics.vertxBuilder(NodeVertxOptions.create()).build();
      if (kafka != null) {
        LoggerSettings defaults = LoggerSettings.defaults(kafka);
        logger = LoggerNode.start(vertx, new LoggerSettings(kafka, kafkaTopic, defaults.maxBufferedEvents(),
            defaults.maxBufferedBytes(), defaults.maxInFlight()), metrics.registry()).await(60, TimeUnit.SECONDS);
      }
      // Before the node listens: a load balancer sees it only once its JIT is warm.
      LOG.info(WarmUp.run(vertx, options, relaySettings.warmUpSessions()).await(120, TimeUnit.SECONDS));
      String keysBootstrap = keysKafka != null ? keysKafka : kafka;
      keyStore = keysBootstrap == null ? KeyStore.inMemory()
          : KafkaKeyStore.start(vertx, keysBootstrap, keysTopic, Duration.ofSeconds(30)).await(40, TimeUnit.SECONDS);
      if (keysBootstrap != null) {
        spendLedger = KafkaSpendLedger.start(vertx, keysBootstrap, spendTopic, Duration.ofSeconds(30))
            .await(40, TimeUnit.SECONDS);
      }
      node = RelayNode.start(vertx, relayConfig, options, publishEvents, metrics, keyStore,
          spendLedger == null ? SpendLedger.NONE : spendLedger).await(60, TimeUnit.SECONDS);
      int management = node.startManagement(managementHost, managementPort).await(30, TimeUnit.SECONDS);
      LOG.info("management listening on http://{}:{} (/metrics, /health/liveliness, /health/readiness)",
          managementHost, management);
      LOG.info(keyStore.durable()
          ? "key management: /key/*, /team/*, /spend/keys on the management port; keys and teams kept in Kafka "
              + keysBootstrap + ", topic '" + keysTopic + "'; spend checkpointed in topic '" + spendTopic + "'"
          : "key management: /key/*, /team/*, /spend/keys on the management port; keys and teams made there are kept "
              + "in this node's memory (lost at restart, not shared with other relays): use --keys-kafka to keep them");
      if (config != null) {
        watcher = new ConfigWatcher(vertx, node, config, new ConfigLoader(env), metrics.registry(), configContent,
            configWatchSeconds * 1000L).start();
        LOG.info("config: reloaded on SIGHUP{}", configWatchSeconds > 0
            ? " and when " + config + " changes (checked every " + configWatchSeconds + " s)" : "");
      }
    } catch (Exception e) {
      LOG.error("relay failed to start on {}:{}: {}", options.host(), options.port(), e.getMessage());
      if (keyStore != null) {
        keyStore.close();
      }
      if (spendLedger != null) {
        spendLedger.close();
      }
      if (vertx != null) {
        vertx.close();
      }
      node = null;
      return 1;
    }
    LOG.info(describeEventLogging());
    LOG.info(relayConfig.webrtcTokenSecrets().isEmpty()
        ? "WebRTC sign-in: off (set general_settings.webrtc_token_secrets to serve /v1/realtime/client_secrets and "
            + "/v1/realtime/calls)"
        : "WebRTC sign-in: on");
    LOG.info(NodeVertxOptions.describe(vertx));
    LOG.info("relay listening on {}://{}:{}/v1/realtime ({} instance(s), {} model(s), started in {} ms)",
        options.tls() ? "wss" : "ws", options.host(), node.port(), options.instances(),
        relayConfig.deployments().stream().map(d -> d.modelName()).distinct().count(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return 0;
  }

  private String describeEventLogging() {
    if (kafka != null) {
      return "session events: in-process logger -> Kafka " + kafka + ", topic '" + kafkaTopic + "' (node " + node.nodeId()
          + "); read them with: java -jar logger-node/target/logger-node.jar tail --kafka " + kafka + " --topic "
          + kafkaTopic;
    }
    if (cluster.enabled) {
      return "session events: sent to the cluster's logger nodes (node " + node.nodeId() + ")";
    }
    return "session events: not exported (use --kafka HOST:PORT, or --cluster with logger nodes)";
  }

  /** What a LiteLLM proxy's config brings that the relay leaves out, said once at start. */
  private static void describeConfig(RelayConfig config) {
    for (SkippedDeployment skipped : config.skippedDeployments()) {
      LOG.info("{} '{}' ({}): not served: {}", skipped.path(), LogSafe.text(skipped.modelName()),
          LogSafe.text(skipped.model()), skipped.reason());
    }
    if (!config.settingsNotUsed().isEmpty()) {
      LOG.info("not used by the relay: {}", String.join(", ", config.settingsNotUsed()));
    }
    config.warnings().forEach(w -> LOG.warn(w));
    config.servesNothing().ifPresent(why -> LOG.warn("this config serves no client: {}; the relay starts, and its "
        + "readiness stays 503 until the config is fixed", why));
  }

  private RelayConfig loadConfig() {
    ConfigLoader loader = new ConfigLoader(env);
    if (config == null) {
      LOG.info(DefaultConfig.describe(env));
      return loader.parse(DefaultConfig.yaml(env), "embedded config");
    }
    try {
      configContent = Files.readAllBytes(config);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ConfigException(config + ": file not found");
    } catch (java.io.IOException e) {
      throw new ConfigException(config + ": cannot read (" + e.getClass().getSimpleName() + ")");
    }
    return loader.parse(new String(configContent, java.nio.charset.StandardCharsets.UTF_8), config.toString());
  }

  private ServerOptions serverOptions() {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new ConfigException("--tls-cert and --tls-key must be given together");
    }
    for (Path p : new Path[] {tlsCert, tlsKey}) {
      if (p != null && !Files.isReadable(p)) {
        throw new ConfigException(p + ": TLS file not found or not readable");
      }
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException("--port must be between 0 and 65535");
    }
    if (configWatchSeconds < 0) {
      throw new ConfigException("--config-watch-seconds must be 0 (off) or more");
    }
    if (managementPort < 0 || managementPort > 65535) {
      throw new ConfigException("--management-port must be between 0 and 65535");
    }
    if (managementPort != 0 && managementPort == port) {
      throw new ConfigException("--management-port must differ from --port: operators' endpoints never share the "
          + "clients' port");
    }
    int n = instances == null ? Runtime.getRuntime().availableProcessors() : instances;
    if (n < 1) {
      throw new ConfigException("--instances must be at least 1");
    }
    if (cluster.problem().isPresent()) {
      throw new ConfigException(cluster.problem().get());
    }
    String bind = host != null ? host : config == null ? "127.0.0.1" : "0.0.0.0";
    return new ServerOptions(bind, port, Optional.ofNullable(tlsCert), Optional.ofNullable(tlsKey), n);
  }

  /**
   * Blocks the main thread until SIGTERM/SIGINT, then drains: new sessions refused, live ones given
   * {@code relay_settings.drain_seconds}, the rest closed with 1001, then the node leaves the cluster.
   *
   * @return 0 after a clean shutdown, 1 when a step of it failed or timed out
   */
  private int awaitShutdown() {
    String signal = stopSignals.await();
    LOG.info("shutting down (SIG{})", signal);
    return StopSignals.shutDown(() -> {
      // Sequential from this (non-Vert.x) thread: closing Vert.x from one of its own event loops races its shutdown.
      if (watcher != null) {
        watcher.stop();
      }
      int drainSeconds = relaySettings.drainSeconds();
      node.drain(Duration.ofSeconds(drainSeconds)).await(drainSeconds + 15L, TimeUnit.SECONDS);
      if (logger != null) {
        logger.close().await(10, TimeUnit.SECONDS);
      }
      keyStore.close();
      if (spendLedger != null) {
        // After the drain: the drained sessions' last spend is checkpointed.
        spendLedger.close();
      }
      vertx.close().await(10, TimeUnit.SECONDS);
    });
  }

  /** {@code relay-node hash-key}: prints the SHA-256 to put in {@code virtual_keys[].key_sha256}. */
  @Command(name = "hash-key", mixinStandardHelpOptions = true,
      description = {"Reads one key from standard input (so it stays out of shell history) and prints its SHA-256",
          "for general_settings.virtual_keys[].key_sha256."})
  static final class HashKey implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String key = in.readLine();
      if (key == null || key.isBlank()) {
        System.err.println("hash-key: expected the key on standard input");
        return 2;
      }
      System.out.println(HexFormat.of().formatHex(KeyDigest.sha256(key.trim())));
      return 0;
    }
  }
}
