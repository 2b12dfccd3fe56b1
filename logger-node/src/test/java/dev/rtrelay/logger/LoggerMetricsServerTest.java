package dev.rtrelay.logger;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The logger's counters render as Prometheus text with the values given. */
class LoggerMetricsServerTest {
  @Test
  void statsRenderAsPrometheusText() {
    String text = LoggerMetricsServer.prometheus(new JsonObject().put("received", 10).put("sent", 7).put("dropped", 2)
        .put("send_failures", 1).put("malformed_batches", 0).put("buffered", 1).put("buffered_bytes", 120)
        .put("in_flight", 0));
    assertTrue(text.contains("\nrtrelay_logger_records_dropped_total 2\n"), text);
    assertTrue(text.contains("# TYPE rtrelay_logger_records_buffered gauge\nrtrelay_logger_records_buffered 1\n"),
        text);
    assertTrue(text.contains("rtrelay_logger_records_written_total 7"), text);
  }
}
