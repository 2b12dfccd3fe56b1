package dev.rtrelay.relay.upstream;

import dev.rtrelay.relay.config.DeploymentConfig;
import dev.rtrelay.relay.config.Provider;
import dev.rtrelay.relay.http.RelayException;
import dev.rtrelay.relay.metrics.RelayMetrics;
import dev.rtrelay.relay.routing.DeploymentRouter;
import dev.rtrelay.relay.routing.DeploymentState;
import dev.rtrelay.relay.routing.ModelGroup;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the upstream socket for a model group with connect-time failover: deployments are tried in the router's
 * order; a refused or failed handshake (connect error, timeout, 429, 5xx, or any other rejection) counts against the
 * deployment and the next one is tried. Only when all fail is the client refused, before its upgrade.
 */
public final class UpstreamConnector {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamConnector.class);

  private final WebSocketClient client;
  private final UpstreamDialer dialer;
  private final DeploymentRouter router;
  private final Optional<String> simulatedBase;
  private final long connectTimeoutMillis;

  private final RelayMetrics metrics;

  private final GoogleAccessTokens googleTokens;
  private final int maxMessageBytes;
  private final Function<DeploymentConfig, Future<ProviderLink>> bedrock;

  /**
   * @param client the WebSocket client for translated providers, whose messages the relay decodes anyway
   * @param dialer raw connections for relayed providers, whose frames pass as bytes
   * @param maxMessageBytes the largest message a translated provider may send (relayed ones are bounded per frame)
   * @param bedrock opens a Bedrock stream for a {@code bedrock/} deployment (not a WebSocket)
   */
  public UpstreamConnector(WebSocketClient client, UpstreamDialer dialer, DeploymentRouter router,
      Optional<String> simulatedBase,
      long connectTimeoutMillis, int maxMessageBytes, RelayMetrics metrics, GoogleAccessTokens googleTokens,
      Function<DeploymentConfig, Future<ProviderLink>> bedrock) {
    this.maxMessageBytes = maxMessageBytes;
    this.bedrock = bedrock;
    this.metrics = metrics;
    this.googleTokens = googleTokens;
    this.client = client;
    this.dialer = dialer;
    this.router = router;
    this.simulatedBase = simulatedBase;
    this.connectTimeoutMillis = connectTimeoutMillis;
  }

  /** The returned socket is paused: the caller wires handlers, then resumes, so no upstream frame is lost. */
  public Future<UpstreamConnection> connect(ModelGroup group, Optional<String> clientBeta, String sessionId) {
    List<DeploymentState> order = router.attemptOrder(group);
    if (order.isEmpty()) {
      int retryAfter = router.secondsUntilAvailable(group);
      return Future.failedFuture(new RelayException(503, "service_unavailable",
          "All deployments of model '" + group.alias() + "' are cooling down after failures; retry in " + retryAfter
              + " s", Optional.of(retryAfter)));
    }
    Promise<UpstreamConnection> result = Promise.promise();
    attempt(group, order, 0, clientBeta, sessionId, new ArrayList<>(), result);
    return result.future();
  }

  private void attempt(ModelGroup group, List<DeploymentState> order, int index, Optional<String> clientBeta,
      String sessionId, List<Failure> failures, Promise<UpstreamConnection> result) {
    if (index == order.size()) {
      result.fail(allFailed(group, failures));
      return;
    }
    DeploymentState deployment = order.get(index);
    open(deployment, clientBeta)
        .onSuccess(result::complete)
        .onFailure(error -> {
          Failure failure = Failure.of(deployment, error);
          boolean more = index + 1 < order.size();
          LOG.warn("session {}: upstream connection to deployment {} failed: {}{}", sessionId,
              deployment.config().id(), failure.detail(), more ? "; trying next deployment" : "");
          if (more) {
            metrics.failover(group.alias());
          }
          failures.add(failure);
          attempt(group, order, index + 1, clientBeta, sessionId, failures, result);
        });
  }

  /**
   * A new connection to the same deployment, for a translated session renewing its provider connection (Gemini's
   * resumption handles are only valid there). No failover: the caller decides what a failure means.
   */
  public Future<UpstreamConnection> reconnect(DeploymentState deployment) {
    return open(deployment, Optional.empty());
  }

  /** One connection attempt, counted in the router's health and the metrics either way. */
  private Future<UpstreamConnection> open(DeploymentState deployment, Optional<String> clientBeta) {
    long started = System.nanoTime();
    return handshake(deployment, clientBeta)
        .onSuccess(connected -> {
          metrics.upstreamConnected(deployment.config().id(), System.nanoTime() - started);
          router.recordSuccess(deployment);
        })
        .onFailure(error -> {
          metrics.upstreamFailed(deployment.config().id(), Failure.of(deployment, error).category());
          if (router.recordFailure(deployment)) {
            metrics.cooldown(deployment.config().id());
          }
        });
  }

  private Future<UpstreamConnection> handshake(DeploymentState deployment, Optional<String> clientBeta) {
    if (deployment.config().provider() == Provider.BEDROCK) {
      return bedrock.apply(deployment.config()).map(link -> UpstreamConnection.translated(deployment, link));
    }
    if (!deployment.config().provider().translated()) {
      DeploymentConfig config = deployment.config();
      return connectOptions(deployment, clientBeta)
          .compose(o -> dialer.dial(o, config.warmConnections(), config.warmMaxAgeMillis()))
          .map(upgraded -> UpstreamConnection.relayed(deployment, upgraded));
    }
    // Providers send their first message right after the handshake, often in the same TCP read, and Vert.x delivers
    // it before the connect callback runs. A handler installed before connecting keeps those first frames (pausing
    // before connecting would stall the handshake itself); the session replays them first.
    ClientWebSocket socket = client.webSocket();
    List<WebSocketFrame> early = new ArrayList<>(2);
    socket.frameHandler(early::add);
    return connectOptions(deployment, clientBeta).compose(socket::connect).map(connected -> {
      // From here frames wait in Vert.x's queue (and then in TCP) until the session resumes the socket.
      socket.pause();
      return UpstreamConnection.translated(deployment, new WebSocketLink(socket, early, maxMessageBytes));
    });
  }

  /** The handshake's URL and headers; Vertex AI's include an OAuth token fetched (or reused) for this connection. */
  private Future<WebSocketConnectOptions> connectOptions(DeploymentState deployment, Optional<String> clientBeta) {
    WebSocketConnectOptions options = UpstreamEndpoint.options(deployment.config(), simulatedBase, clientBeta,
        connectTimeoutMillis);
    if (deployment.config().provider() != Provider.VERTEX_AI) {
      return Future.succeededFuture(options);
    }
    return googleTokens.token(deployment.config()).map(token -> options.addHeader("Authorization", "Bearer " + token));
  }

  private static RelayException allFailed(ModelGroup group, List<Failure> failures) {
    boolean allRateLimited = failures.stream().allMatch(f -> f.category.equals("rate_limited"));
    StringBuilder detail = new StringBuilder();
    for (Failure f : failures) {
      detail.append(detail.length() == 0 ? "" : "; ").append(f.deploymentId).append(": ").append(f.category);
    }
    String message = (allRateLimited ? "Every deployment of model '" + group.alias() + "' is rate limited ("
        : "No deployment of model '" + group.alias() + "' accepted the connection (") + detail + ")";
    return allRateLimited ? new RelayException(429, "rate_limit_error", message)
        : new RelayException(502, "upstream_error", message);
  }

  /**
   * Why one deployment failed: a bounded category for clients and metrics, and the full description (which may
   * name hosts and ports, never URLs or headers) for the relay's log.
   */
  private record Failure(String deploymentId, String category, String detail) {
    static Failure of(DeploymentState deployment, Throwable error) {
      if (error instanceof UpgradeRejectedException rejected) {
        return new Failure(deployment.config().id(), FailureText.status(rejected.getStatus()),
            "HTTP " + rejected.getStatus());
      }
      return new Failure(deployment.config().id(), FailureText.category(error), FailureText.describe(error));
    }
  }
}
