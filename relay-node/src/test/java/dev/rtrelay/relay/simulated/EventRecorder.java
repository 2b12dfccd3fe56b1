package dev.rtrelay.relay.simulated;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects server events of one test connection and lets a test wait for "everything up to the next event of
 * type X" without sleeping. The handler is installed before connecting, so even the first event is kept.
 */
final class EventRecorder {
  static final int MAX_BYTES = 16 * 1024 * 1024;

  private final List<JsonObject> events = new ArrayList<>();
  private int cursor;
  private String awaitedType;
  private Promise<List<JsonObject>> awaited;
  // Vert.x 5 closes a WebSocketClient (and its connections) once it is garbage collected, which a cold JVM
  // does mid-handshake; holding it here ties its lifetime to the connection under test.
  private WebSocketClient client;
  private WebSocket socket;
  private final Promise<Short> closed = Promise.promise();

  static Future<EventRecorder> connect(Vertx vertx, int port, WebSocketConnectOptions options) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(MAX_BYTES)
        .setMaxMessageSize(MAX_BYTES));
    EventRecorder recorder = new EventRecorder();
    recorder.client = client;
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(recorder::onText);
    ws.closeHandler(v -> recorder.closed.tryComplete(ws.closeStatusCode()));
    return ws.connect(options.setHost("127.0.0.1").setPort(port)).map(connected -> {
      recorder.socket = connected;
      return recorder;
    });
  }

  static WebSocketConnectOptions realtime(String query) {
    return new WebSocketConnectOptions().setURI("/v1/realtime" + query);
  }

  WebSocket socket() {
    return socket;
  }

  /** Completes with the close code once the server side ends the connection. */
  Future<Short> closed() {
    return closed.future();
  }

  Future<Void> send(JsonObject event) {
    return socket.writeTextMessage(event.encode());
  }

  /** Completes with the events received since the previous call, up to and including the next {@code type}. */
  synchronized Future<List<JsonObject>> until(String type) {
    if (awaited != null) {
      return Future.failedFuture(new IllegalStateException("already waiting for " + awaitedType));
    }
    awaitedType = type;
    awaited = Promise.promise();
    Future<List<JsonObject>> result = awaited.future();
    deliver();
    return result;
  }

  private synchronized void onText(String text) {
    events.add(new JsonObject(text));
    deliver();
  }

  private void deliver() {
    if (awaited == null) {
      return;
    }
    for (int i = cursor; i < events.size(); i++) {
      if (awaitedType.equals(events.get(i).getString("type"))) {
        List<JsonObject> batch = List.copyOf(events.subList(cursor, i + 1));
        cursor = i + 1;
        Promise<List<JsonObject>> promise = awaited;
        awaited = null;
        awaitedType = null;
        promise.complete(batch);
        return;
      }
    }
  }

  static List<String> types(List<JsonObject> batch) {
    return batch.stream().map(e -> e.getString("type")).toList();
  }

  static List<JsonObject> ofType(List<JsonObject> batch, String type) {
    return batch.stream().filter(e -> type.equals(e.getString("type"))).toList();
  }
}
