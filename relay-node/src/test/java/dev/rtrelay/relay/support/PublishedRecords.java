package dev.rtrelay.relay.support;

import dev.rtrelay.events.EventBatch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Session-event records a relay publishes on this Vert.x instance's event bus, acknowledged as a logger would. */
public final class PublishedRecords {
  private final List<JsonObject> records = new CopyOnWriteArrayList<>();
  private final Promise<Void> closedSeen = Promise.promise();

  private PublishedRecords() {}

  public static Future<PublishedRecords> listen(Vertx vertx) {
    PublishedRecords published = new PublishedRecords();
    return vertx.eventBus().<Buffer>consumer(EventBatch.ADDRESS, m -> {
      EventBatch.forEach(m.body(), (key, value) -> {
        JsonObject r = value.toJsonObject();
        published.records.add(r);
        if ("session.closed".equals(r.getString("kind"))) {
          published.closedSeen.tryComplete();
        }
      });
      m.reply(null);
    }).completion().map(v -> published);
  }

  public List<JsonObject> all() {
    return records;
  }

  /** The first record of a kind, or an assertion error listing what there was. */
  public JsonObject first(String kind) {
    return records.stream().filter(r -> kind.equals(r.getString("kind"))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " record in " + records));
  }

  public void awaitSessionClosed() throws Exception {
    closedSeen.future().await(15, TimeUnit.SECONDS);
  }
}
