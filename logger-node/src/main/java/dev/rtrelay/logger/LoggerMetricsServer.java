package dev.rtrelay.logger;

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
    StringBuilder out = new StringBuilder(1024);
    counter(out, "rtrelay_logger_records_received_total", "Session-event records received from relays",
        stats.getLong("received"));
    counter(out, "rtrelay_logger_records_written_total", "Records acknowledged by Kafka", stats.getLong("sent"));
    counter(out, "rtrelay_logger_records_dropped_total", "Records dropped (oldest first) while Kafka was unreachable",
        stats.getLong("dropped"));
    counter(out, "rtrelay_logger_send_failures_total", "Failed Kafka sends (the records are retried)",
        stats.getLong("send_failures"));
    counter(out, "rtrelay_logger_malformed_batches_total", "Event batches that could not be decoded",
        stats.getLong("malformed_batches"));
    gauge(out, "rtrelay_logger_records_buffered", "Records waiting for Kafka", stats.getLong("buffered"));
    gauge(out, "rtrelay_logger_bytes_buffered", "Bytes waiting for Kafka", stats.getLong("buffered_bytes"));
    gauge(out, "rtrelay_logger_records_in_flight", "Records handed to the Kafka producer, not yet acknowledged",
        stats.getLong("in_flight"));
    return out.toString();
  }

  private static void counter(StringBuilder out, String name, String help, long value) {
    metric(out, name, help, "counter", value);
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    metric(out, name, help, "gauge", value);
  }

  private static void metric(StringBuilder out, String name, String help, String type, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(' ').append(type).append('\n')
        .append(name).append(' ').append(value).append('\n');
  }
}
