package dev.rtrelay.relay;

import dev.rtrelay.relay.auth.KeyAuthenticator;
import dev.rtrelay.relay.auth.SessionLimiter;
import dev.rtrelay.relay.config.RelayConfig;
import dev.rtrelay.relay.routing.DeploymentRouter;
import dev.rtrelay.relay.simulated.SimulatedRealtimeProvider;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Composition root of a relay node: starts the simulated provider when the config uses it, then the relay verticle
 * instances. Usable in-process (tests, embedded runs) as well as from {@link RelayMain}.
 */
public final class RelayNode {
  private final Vertx vertx;
  private final int port;
  private final String deploymentId;
  private final Optional<SimulatedRealtimeProvider> simulated;

  private RelayNode(Vertx vertx, int port, String deploymentId, Optional<SimulatedRealtimeProvider> simulated) {
    this.vertx = vertx;
    this.port = port;
    this.deploymentId = deploymentId;
    this.simulated = simulated;
  }

  public static Future<RelayNode> start(Vertx vertx, RelayConfig config, ServerOptions options) {
    Future<Optional<SimulatedRealtimeProvider>> simulated = config.usesSimulatedProvider()
        ? SimulatedRealtimeProvider.start(vertx, config.relay().maxMessageBytes()).map(Optional::of)
        : Future.succeededFuture(Optional.empty());
    return simulated.compose(sim -> {
      NodeServices services = new NodeServices(config, KeyAuthenticator.of(config), new SessionLimiter(),
          DeploymentRouter.of(config.deployments(), config.router()),
          sim.map(s -> "ws://127.0.0.1:" + s.port()));
      // Instances are created on deployment threads; the list only serves to read back the bound port.
      List<RelayVerticle> instances = new CopyOnWriteArrayList<>();
      return vertx.deployVerticle(() -> {
        RelayVerticle v = new RelayVerticle(services, options);
        instances.add(v);
        return v;
      }, new DeploymentOptions().setInstances(options.instances()))
          .map(id -> new RelayNode(vertx, instances.get(0).actualPort(), id, sim))
          .recover(err -> sim.map(s -> s.close().transform(v -> Future.<RelayNode>failedFuture(err)))
          .orElse(Future.failedFuture(err)));
    });
  }

  public int port() {
    return port;
  }

  public Future<Void> close() {
    return vertx.undeploy(deploymentId)
        .eventually(() -> simulated.map(SimulatedRealtimeProvider::close).orElse(Future.succeededFuture()));
  }
}
