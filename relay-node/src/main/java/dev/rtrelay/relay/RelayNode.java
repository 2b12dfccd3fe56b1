package dev.rtrelay.relay;

import dev.rtrelay.metrics.NodeMetrics;
import dev.rtrelay.relay.auth.KeyAuthenticator;
import dev.rtrelay.relay.config.RelayConfig;
import dev.rtrelay.relay.cost.CostStats;
import dev.rtrelay.relay.events.EventLogSettings;
import dev.rtrelay.relay.events.EventStats;
import dev.rtrelay.relay.guardrails.GuardrailRegistry;
import dev.rtrelay.relay.guardrails.GuardrailStats;
import dev.rtrelay.relay.http.AuthBrake;
import dev.rtrelay.relay.http.DrainState;
import dev.rtrelay.relay.keys.KeyStore;
import dev.rtrelay.relay.events.LoggerDirectory;
import dev.rtrelay.relay.limits.ClusterQuorum;
import dev.rtrelay.relay.limits.KeyLimits;
import dev.rtrelay.relay.limits.SpendLedger;
import dev.rtrelay.relay.metrics.RelayMetrics;
import dev.rtrelay.relay.routing.DeploymentRouter;
import dev.rtrelay.relay.upstream.bedrock.BedrockClients;
import dev.rtrelay.relay.simulated.SimulatedRealtimeProvider;
import dev.rtrelay.relay.upstream.GoogleAccessTokens;
import dev.rtrelay.relay.upstream.WarmStats;
import dev.rtrelay.relay.webrtc.CallTokens;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composition root of a relay node: starts the simulated provider when the config uses it, then the relay verticle
 * instances. Usable in-process (tests, embedded runs) as well as from {@link RelayMain}.
 */
public final class RelayNode {
  /**
   * Port 0 means "any free port". Vert.x shares one random port among servers only when they listen on the same
   * negative port (0 would give each instance its own port), so every node picks its own negative key: two nodes in
   * one Vert.x instance must not end up sharing a port.
   */
  private static final java.util.concurrent.atomic.AtomicInteger RANDOM_SHARED_PORTS =
      new java.util.concurrent.atomic.AtomicInteger();
  private static final Logger LOG = LoggerFactory.getLogger(RelayNode.class);
  private final Vertx vertx;
  private final int port;
  private final String deploymentId;
  private String managementDeploymentId;
  private final Optional<SimulatedRealtimeProvider> simulated;
  private final NodeServices services;

  private RelayNode(Vertx vertx, int port, String deploymentId, Optional<SimulatedRealtimeProvider> simulated,
      NodeServices services) {
    this.vertx = vertx;
    this.port = port;
    this.deploymentId = deploymentId;
    this.simulated = simulated;
    this.services = services;
  }

  /** A relay that publishes no session events. */
  public static Future<RelayNode> start(Vertx vertx, RelayConfig config, ServerOptions options) {
    return start(vertx, config, options, false);
  }

  /**
   * @param publishEvents send session events to {@link dev.rtrelay.events.EventBatch#ADDRESS} on this Vert.x
   *     instance's event bus (clustered, or local with an in-process logger)
   */
  public static Future<RelayNode> start(Vertx vertx, RelayConfig config, ServerOptions options,
      boolean publishEvents) {
    return start(vertx, config, options, publishEvents, new NodeMetrics());
  }

  /** @param metrics the node's registry, also holding Vert.x's metrics when {@code vertx} was built with it */
  public static Future<RelayNode> start(Vertx vertx, RelayConfig config, ServerOptions options,
      boolean publishEvents, NodeMetrics metrics) {
    return start(vertx, config, options, publishEvents, metrics, KeyStore.inMemory(), SpendLedger.NONE, false);
  }

  /** @param keyStore where the management API's keys and teams are kept (loaded already) */
  public static Future<RelayNode> start(Vertx vertx, RelayConfig config, ServerOptions options,
      boolean publishEvents, NodeMetrics metrics, KeyStore keyStore) {
    return start(vertx, config, options, publishEvents, metrics, keyStore, SpendLedger.NONE, false);
  }

  /**
   * @param keyStore where the management API's keys and teams are kept (loaded already)
   * @param spend where keys' spend is checkpointed beyond the cluster's memory (loaded already)
   */
  public static Future<RelayNode> start(Vertx vertx, RelayConfig config, ServerOptions options,
      boolean publishEvents, NodeMetrics metrics, KeyStore keyStore, SpendLedger spend) {
    return start(vertx, config, options, publishEvents, metrics, keyStore, spend, false);
  }

  /**
   * A node that only exists to warm the JIT ({@link WarmUp}): no session events, its own metrics registry, and no log
   * line per session.
   */
  static Future<RelayNode> startQuiet(Vertx vertx, RelayConfig config, ServerOptions options) {
    return start(vertx, config, options, false, new NodeMetrics(), KeyStore.inMemory(), SpendLedger.NONE, true);
  }

  private static Future<RelayNode> start(Vertx vertx, RelayConfig config, ServerOptions options,
      boolean publishEvents, NodeMetrics metrics, KeyStore keyStore, SpendLedger spend, boolean quiet) {

    Future<Optional<SimulatedRealtimeProvider>> simulated = config.usesSimulatedProvider()
        ? SimulatedRealtimeProvider.start(vertx, config.relay().maxMessageBytes()).map(Optional::of)
        : Future.succeededFuture(Optional.empty());
    // The warm-up node shares the Vert.x instance of the real one: it watches nothing of its own.
    ClusterQuorum quorum = quiet ? ClusterQuorum.none() : ClusterQuorum.of(vertx);
    Future<LoggerDirectory> loggers = publishEvents ? LoggerDirectory.start(vertx)
        : Future.succeededFuture(LoggerDirectory.sharedAddressOnly());
    return simulated.compose(sim -> loggers.compose(directory -> KeyLimits.create(vertx, quorum).compose(limits -> {
      limits.useLedger(spend);
      DeploymentRouter router = DeploymentRouter.of(config.deployments(), config.router());
      EventStats eventStats = new EventStats();
      GuardrailStats guardrailStats = new GuardrailStats();
      CostStats costStats = new CostStats();
      GoogleAccessTokens googleTokens = new GoogleAccessTokens(vertx);
      WarmStats warmStats = new WarmStats();
      NodeServices services = new NodeServices(new LiveConfig(config),
          KeyAuthenticator.of(config, keyStore.keys()), keyStore, limits, router,
          sim.map(s -> "ws://127.0.0.1:" + s.port()),
          "relay-" + UUID.randomUUID().toString().substring(0, 8), publishEvents,
          EventLogSettings.of(config.loggedEventTypes(), config.relay().logAudio(),
              config.relay().eventBufferMaxEvents(), config.relay().eventBufferMaxBytes(),
              config.relay().maxLoggedEventBytes()),
          eventStats, directory, new GuardrailRegistry(config.guardrails().stream().map(g -> g.bind(vertx)).toList()),
          guardrailStats, costStats, config.tokenSecrets().isEmpty() ? Optional.empty()
              : Optional.of(CallTokens.of(config.tokenSecrets(), Clock.systemUTC())), new DrainState(), metrics,
          new RelayMetrics(metrics.registry(), router, eventStats, guardrailStats, costStats, limits, directory,
              googleTokens, warmStats),
          googleTokens, warmStats,
          new BedrockClients(Duration.ofMillis((long) (config.relay().upstreamConnectTimeoutSeconds() * 1000))),
          new AuthBrake(config.relay().authBrake(), config.relay().trustedProxies(), System::currentTimeMillis),
          quiet);
      // Instances are created on deployment threads; the list only serves to read back the bound port.
      List<RelayVerticle> instances = new CopyOnWriteArrayList<>();
      ServerOptions listen = options.port() != 0 ? options : new ServerOptions(options.host(),
          RANDOM_SHARED_PORTS.decrementAndGet(), options.tlsCert(), options.tlsKey(), options.instances());
      return vertx.deployVerticle(() -> {
        RelayVerticle v = new RelayVerticle(services, listen);
        instances.add(v);
        return v;
      }, new DeploymentOptions().setInstances(options.instances()))
          .map(id -> new RelayNode(vertx, instances.get(0).actualPort(), id, sim, services))
          .recover(err -> sim.map(s -> s.close().transform(v -> Future.<RelayNode>failedFuture(err)))
          .orElse(Future.failedFuture(err)));
    })));
  }

  public int port() {
    return port;
  }

  /** Identifies this node in every session envelope it emits. */
  public String nodeId() {
    return services.nodeId();
  }

  /** Sessions open on this node, those on deployments a config reload took out included. */
  public int liveSessions() {
    return services.router().liveSessions();
  }

  /** The node's metrics registry (served on its management port). */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return services.metrics().registry();
  }

  public EventStats eventStats() {
    return services.eventStats();
  }

  /**
   * Graceful shutdown: readiness turns 503 and new sessions are refused at once; live sessions may go on for up to
   * {@code limit}, then the rest are closed with 1001 (clients reconnect on it) and the node stops.
   */
  public Future<Void> drain(Duration limit) {
    services.drain().start();
    int live = services.router().liveSessions();
    LOG.info("draining: new sessions refused; waiting up to {} s for {} live session(s) to end", limit.toSeconds(),
        live);
    Promise<Void> quiet = Promise.promise();
    long deadline = System.nanoTime() + limit.toNanos();
    if (live == 0 || limit.isZero()) {
      quiet.complete();
    } else {
      // A counter checked ten times a second: the wait is bounded and nothing on the audio path is involved.
      vertx.setPeriodic(100, id -> {
        if (services.router().liveSessions() == 0 || System.nanoTime() >= deadline) {
          vertx.cancelTimer(id);
          quiet.tryComplete();
        }
      });
    }
    return quiet.future().compose(v -> {
      int left = services.router().liveSessions();
      if (left > 0) {
        LOG.info("drain limit reached: closing {} live session(s) with 1001", left);
      }
      return close();
    });
  }

  /**
   * Starts the operators' listener ({@code /metrics}, {@code /health/*}) on {@code host:port} (0: any free port) and
   * completes with the port it listens on.
   */
  public Future<Integer> startManagement(String host, int port) {
    ManagementVerticle management = new ManagementVerticle(services, host, port);
    return vertx.deployVerticle(management).map(id -> {
      managementDeploymentId = id;
      return management.actualPort();
    });
  }

  /**
   * Puts a reloaded config in force for new sessions ({@link ConfigReload}); live sessions are not touched. The config
   * must come from {@link dev.rtrelay.relay.config.ConfigLoader}, validated in full.
   */
  public ConfigReload.Outcome reload(RelayConfig next) {
    return ConfigReload.apply(vertx, services, next);
  }

  public Future<Void> close() {
    Future<Void> management = managementDeploymentId == null ? Future.succeededFuture()
        : vertx.undeploy(managementDeploymentId);
    return management.eventually(() -> vertx.undeploy(deploymentId))
        .eventually(() -> vertx.executeBlocking(() -> {
          services.limits().close();
          services.loggers().close();
          services.bedrockClients().close();
          services.googleTokens().close();
          return null;
        }))
        .eventually(() -> simulated.map(SimulatedRealtimeProvider::close).orElse(Future.succeededFuture()));
  }
}
