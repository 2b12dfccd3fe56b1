package dev.rtrelay.logger;

import dev.rtrelay.metrics.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * The logger node's {@code /metrics} (Prometheus text: the logger's meters, Vert.x's and the JVM's) and
 * {@code /health/*} endpoints.
 */
public final class LoggerMetricsServer {
  private LoggerMetricsServer() {}

  public static Future<HttpServer> start(Vertx vertx, NodeMetrics metrics, String host, int port) {
    return vertx.createHttpServer().requestHandler(request -> {
      switch (request.path()) {
        case "/metrics" -> request.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
            .end(metrics.scrape());
        case "/health/liveliness", "/health/liveness", "/health/readiness" ->
            request.response().putHeader("content-type", "application/json").end("{\"status\":\"ok\"}");
        default -> request.response().setStatusCode(404).end();
      }
    }).listen(port, host);
  }
}
