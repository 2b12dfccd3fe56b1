package dev.rtrelay.logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.events.EventBatch;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A batch the logger cannot decode is refused whole with a failure reply, so the relay that sent it counts its events
 * as dropped instead of delivered; nothing of it is buffered. Kafka is unreachable here: nothing gets that far.
 */
@ExtendWith(VertxExtension.class)
class MalformedBatchTest {
  @Test
  void aMalformedBatchGetsAFailureReplyAndNothingOfItIsBuffered(Vertx vertx) throws Exception {
    LoggerNode node = LoggerNode.start(vertx, new LoggerSettings("127.0.0.1:1", "t", 1000, 1 << 20, 2))
        .await(10, TimeUnit.SECONDS);
    EventBatch.Builder builder = new EventBatch.Builder();
    builder.add("rs_1", "{\"seq\":1}".getBytes(StandardCharsets.UTF_8));
    builder.add("rs_1", "{\"seq\":2}".getBytes(StandardCharsets.UTF_8));
    Buffer damaged = builder.take().setInt(1, 3);

    ReplyException refused = assertThrows(ReplyException.class,
        () -> vertx.eventBus().request(EventBatch.ADDRESS, damaged).await(10, TimeUnit.SECONDS));
    assertEquals(LoggerVerticle.MALFORMED_BATCH, refused.failureCode());
    assertTrue(refused.getMessage().contains("malformed event batch"), refused.getMessage());

    JsonObject stats = (JsonObject) vertx.eventBus().request(LoggerVerticle.STATS_ADDRESS, null)
        .await(10, TimeUnit.SECONDS).body();
    assertEquals(1, stats.getLong("malformed_batches"));
    assertEquals(0, stats.getLong("received"));
    assertEquals(0, stats.getLong("buffered") + stats.getLong("in_flight"));
    node.close().otherwiseEmpty().await(20, TimeUnit.SECONDS);
  }
}
