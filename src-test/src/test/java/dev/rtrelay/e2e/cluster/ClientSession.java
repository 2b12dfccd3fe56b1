package dev.rtrelay.e2e.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A client session through a relay, recording every text message from the first one on. */
final class ClientSession implements AutoCloseable {
  static final String MASTER_KEY = "sk-cluster-test-master";
  private final WebSocketClient client;
  private final ClientWebSocket socket;
  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private final String sessionId;

  private final CompletableFuture<Short> closeCode = new CompletableFuture<>();

  ClientSession(Vertx vertx, int port, String model) throws Exception {
    this(vertx, port, model, MASTER_KEY);
  }

  ClientSession(Vertx vertx, int port, String model, String key) throws Exception {
    client = vertx.createWebSocketClient();
    socket = client.webSocket();
    socket.textMessageHandler(messages::add);
    socket.closeHandler(v -> closeCode.complete(socket.closeStatusCode()));
    try {
      socket.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
          .setURI("/v1/realtime?model=" + model).addHeader("Authorization", "Bearer " + key))
          .await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      client.close();
      throw e;
    }
    sessionId = socket.headers().get("x-rtrelay-session-id");
  }

  /** The close code the relay sent, once the socket is closed. */
  short awaitCloseCode() throws Exception {
    return closeCode.get(20, TimeUnit.SECONDS);
  }

  String sessionId() {
    return sessionId;
  }

  void send(JsonObject event) {
    socket.writeTextMessage(event.encode());
  }

  void send(String text) {
    socket.writeTextMessage(text);
  }

  String nextText() throws InterruptedException {
    String m = messages.poll(20, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no message within 20 s");
    }
    return m;
  }

  JsonObject nextEvent(String type) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      String m = messages.poll(1, TimeUnit.SECONDS);
      if (m != null) {
        JsonObject e = new JsonObject(m);
        if (type.equals(e.getString("type"))) {
          return e;
        }
      }
    }
    throw new AssertionError("no " + type + " within 20 s");
  }

  @Override
  public void close() throws Exception {
    if (!socket.isClosed()) {
      socket.close((short) 1000, "test done").await(10, TimeUnit.SECONDS);
    }
    client.close().await(10, TimeUnit.SECONDS);
  }
}
