package dev.rtrelay.logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.events.EventBatch;
import dev.rtrelay.metrics.NodeMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The logger's /metrics after real batches on the event bus, with Kafka unreachable (nothing listens on the port):
 * every record is counted as received and is either buffered or in flight, and batch sizes are recorded.
 */
@ExtendWith(VertxExtension.class)
class LoggerMetersTest {
  private static double value(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
    assertTrue(m.find(), series + " missing from\n" + text);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void receivedBufferedAndBatchSizesAreExposed(Vertx vertx) throws Exception {
    NodeMetrics metrics = new NodeMetrics();
    LoggerSettings settings = new LoggerSettings("127.0.0.1:1", "t", 1000, 1 << 20, 2);
    LoggerNode node = LoggerNode.start(vertx, settings, metrics.registry()).await(10, TimeUnit.SECONDS);
    int port = LoggerMetricsServer.start(vertx, metrics, "127.0.0.1", 0).await(10, TimeUnit.SECONDS).actualPort();
    for (int size : new int[] {3, 2}) {
      EventBatch.Builder batch = new EventBatch.Builder();
      for (int i = 0; i < size; i++) {
        batch.add("rs_1", ("{\"seq\":" + i + "}").getBytes(StandardCharsets.UTF_8));
      }
      vertx.eventBus().request(EventBatch.ADDRESS, batch.take()).await(10, TimeUnit.SECONDS);
    }
    // Built on an event loop: with Vert.x 5.0.7, body() called after the response ended never completes
    // (eclipse-vertx/vert.x#6038), which a chain built on the test thread can run into.
    io.vertx.core.Promise<io.vertx.core.buffer.Buffer> scraped = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> vertx.createHttpClient().request(HttpMethod.GET, port, "127.0.0.1", "/metrics")
        .compose(r -> r.send().compose(resp -> resp.body())).onComplete(scraped));
    String text = scraped.future().await(10, TimeUnit.SECONDS).toString();
    assertEquals(5, value(text, "rtrelay_logger_records_received_total"));
    assertEquals(2, value(text, "rtrelay_logger_batch_records_count"));
    assertEquals(5, value(text, "rtrelay_logger_batch_records_sum"));
    assertEquals(5, value(text, "rtrelay_logger_records_buffered") + value(text, "rtrelay_logger_records_in_flight"),
        "unacknowledged records are buffered or in flight");
    assertEquals(0, value(text, "rtrelay_logger_records_written_total"));
    assertTrue(value(text, "rtrelay_logger_buffer_fill_ratio") <= 0.005, text);
    node.close().otherwiseEmpty().await(20, TimeUnit.SECONDS);
  }
}
