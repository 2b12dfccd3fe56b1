package dev.rtrelay.logger;

import dev.rtrelay.metrics.PrometheusText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

/**
 * The logger node's {@code /metrics} (Prometheus text) and {@code /health/*} endpoints: received, written, buffered
 * and dropped records, read from the local logger verticle.
 */
public final class LoggerMetricsServer {
  private LoggerMetricsServer() {}

  public static Future<HttpServer> start(Vertx vertx, String host, int port) {
    return vertx.createHttpServer().requestHandler(request -> {
      switch (request.path()) {
        case "/metrics" -> vertx.eventBus().<JsonObject>request(LoggerVerticle.STATS_ADDRESS, null)
            .onSuccess(m -> request.response().putHeader("content-type", "text/plain; version=0.0.4")
                .end(prometheus(m.body())))
            .onFailure(e -> request.response().setStatusCode(503).end("logger not running\n"));
        case "/health/liveliness", "/health/liveness", "/health/readiness" ->
            request.response().putHeader("content-type", "application/json").end("{\"status\":\"ok\"}");
        default -> request.response().setStatusCode(404).end();
      }
    }).listen(port, host);
  }

  static String prometheus(JsonObject stats) {
    return new PrometheusText()
        .counter("rtrelay_logger_records_received_total", "Session-event records received from relays",
            stats.getLong("received"))
        .counter("rtrelay_logger_records_written_total", "Records acknowledged by Kafka", stats.getLong("sent"))
        .counter("rtrelay_logger_records_dropped_total", "Records dropped (oldest first) while Kafka was unreachable",
            stats.getLong("dropped"))
        .counter("rtrelay_logger_send_failures_total", "Failed Kafka sends (the records are retried)",
            stats.getLong("send_failures"))
        .counter("rtrelay_logger_malformed_batches_total", "Event batches that could not be decoded",
            stats.getLong("malformed_batches"))
        .gauge("rtrelay_logger_records_buffered", "Records waiting for Kafka", stats.getLong("buffered"))
        .gauge("rtrelay_logger_bytes_buffered", "Bytes waiting for Kafka", stats.getLong("buffered_bytes"))
        .gauge("rtrelay_logger_records_in_flight", "Records handed to the Kafka producer, not yet acknowledged",
            stats.getLong("in_flight"))
        .toString();
  }
}
