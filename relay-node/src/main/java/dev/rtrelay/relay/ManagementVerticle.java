package dev.rtrelay.relay;

import dev.rtrelay.relay.http.HttpErrors;
import dev.rtrelay.relay.keys.KeyManagementApi;
import dev.rtrelay.relay.limits.ClusterQuorum;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Optional;

/**
 * The operators' listener: {@code /metrics} (Prometheus text), {@code /health/liveliness} and
 * {@code /health/readiness}, and the key management API ({@link KeyManagementApi}), on a port of its own (loopback unless told otherwise), so nothing for operators is on
 * the clients' port and clients cannot reach it through the ingress. A scrape is rendered on a worker thread: a large
 * registry never holds up an event loop that carries audio.
 */
final class ManagementVerticle extends VerticleBase {
  private final NodeServices services;
  private final String host;
  private final int port;
  private HttpServer server;
  private KeyManagementApi keyApi;

  ManagementVerticle(NodeServices services, String host, int port) {
    this.services = services;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    keyApi = new KeyManagementApi(services.authenticator(), services.keyStore(), services.guardrails(),
        services.limits(), Clock.systemUTC());
    server = vertx.createHttpServer().requestHandler(this::handle);
    return server.listen(port, host);
  }

  int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    if (KeyManagementApi.serves(request.path())) {
      keyApi.handle(request);
      return;
    }
    if (request.method() != HttpMethod.GET) {
      request.response().setStatusCode(405).end();
      return;
    }
    switch (request.path()) {
      case "/metrics" -> vertx.executeBlocking(() -> {
        services.relayMetrics().refresh();
        return services.metrics().scrape();
      }).onComplete(scraped -> {
        if (scraped.succeeded()) {
          request.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
              .end(scraped.result());
        } else {
          request.response().setStatusCode(500).end();
        }
      });
      case "/health/liveliness", "/health/liveness" ->
          HttpErrors.respondJson(request, 200, new JsonObject().put("status", "alive"));
      case "/health/readiness" -> {
        boolean draining = services.drain().draining();
        ClusterQuorum quorum = services.limits().quorum();
        String absence = quorum.absence();
        Optional<String> servesNothing = services.config().current().servesNothing();
        String status = draining ? "draining" : servesNothing.isPresent() ? "not_serving"
            : !absence.isEmpty() ? "no_quorum" : "ready";
        JsonObject body = new JsonObject().put("status", status).put("live_sessions", services.router().liveSessions());
        if (quorum.minimum() > 0) {
          body.put("cluster_members", quorum.members()).put("cluster_quorum", quorum.minimum());
        }
        if (servesNothing.isPresent()) {
          body.put("reason", servesNothing.get());
        } else if (!absence.isEmpty()) {
          // Limited keys are refused here until the node is back in the cluster's majority: take it out of service.
          body.put("reason", absence);
        }
        HttpErrors.respondJson(request, status.equals("ready") ? 200 : 503, body);
      }
      default -> request.response().setStatusCode(404).end();
    }
  }
}
