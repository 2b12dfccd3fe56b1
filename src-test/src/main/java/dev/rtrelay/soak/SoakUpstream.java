package dev.rtrelay.soak;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The provider the soak's relays talk to: it answers every {@code input_audio_buffer.append} with a
 * {@code response.output_audio.delta} carrying the same audio, so a client can tell each frame that came back, in
 * order. Two commands let the schedule break things from a chosen session: {@code soak.drop} ends that session
 * with 1011 (a provider's internal error), {@code soak.flood} sends 64 KiB deltas as fast as the relay takes them (for
 * a client that stops reading).
 */
final class SoakUpstream {
  private static final String FLOOD_DELTA = "{\"type\":\"response.output_audio.delta\",\"delta\":\""
      + Base64.getEncoder().encodeToString(new byte[48 * 1024]) + "\"}";

  private final HttpServer server;
  private final AtomicLong dropped = new AtomicLong();

  private SoakUpstream(HttpServer server) {
    this.server = server;
  }

  static Future<SoakUpstream> start(Vertx vertx) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setMaxWebSocketFrameSize(1 << 20)
        .setMaxWebSocketMessageSize(1 << 24));
    SoakUpstream upstream = new SoakUpstream(server);
    server.webSocketHandler(upstream::serve);
    return server.listen(0, "127.0.0.1").map(s -> upstream);
  }

  int port() {
    return server.actualPort();
  }

  long dropped() {
    return dropped.get();
  }

  private void serve(ServerWebSocket ws) {
    ws.writeTextMessage("{\"type\":\"session.created\",\"session\":{\"id\":\"sess_soak\"}}");
    ws.textMessageHandler(text -> {
      JsonObject event;
      try {
        event = new JsonObject(text);
      } catch (RuntimeException notJson) {
        return;
      }
      switch (event.getString("type", "")) {
        case "input_audio_buffer.append" -> ws.writeTextMessage(new JsonObject()
            .put("type", "response.output_audio.delta").put("delta", event.getString("audio")).encode());
        case "soak.drop" -> {
          dropped.incrementAndGet();
          // What a provider does on an internal error mid-session.
          ws.close((short) 1011, "soak: the provider dropped the session");
        }
        case "soak.flood" -> flood(ws);
        default -> {
        }
      }
    });
  }

  private void flood(ServerWebSocket ws) {
    while (!ws.isClosed() && !ws.writeQueueFull()) {
      ws.writeTextMessage(FLOOD_DELTA);
    }
    if (!ws.isClosed()) {
      ws.drainHandler(v -> flood(ws));
    }
  }

  Future<Void> close() {
    return server.close();
  }
}
