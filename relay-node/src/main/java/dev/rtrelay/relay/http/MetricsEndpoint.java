package dev.rtrelay.relay.http;

import dev.rtrelay.metrics.NodeMetrics;
import dev.rtrelay.relay.metrics.RelayMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /metrics}: every meter of the node in Prometheus text (the relay's, Vert.x's and the JVM's when the node
 * runs on the Vert.x instance built for it). No label carries a key, a session id or a path.
 */
public final class MetricsEndpoint implements Handler<HttpServerRequest> {
  private final NodeMetrics metrics;
  private final RelayMetrics relay;

  public MetricsEndpoint(NodeMetrics metrics, RelayMetrics relay) {
    this.metrics = metrics;
    this.relay = relay;
  }

  @Override
  public void handle(HttpServerRequest request) {
    relay.refresh();
    request.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
  }
}
