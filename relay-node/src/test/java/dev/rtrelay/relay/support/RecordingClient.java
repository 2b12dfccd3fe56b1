package dev.rtrelay.relay.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Wraps a client socket and records whole messages (typed) and the close it received, for blocking assertions. */
public final class RecordingClient {
  public static final Duration WAIT = Duration.ofSeconds(15);
  private JsonObject lastSeen;

  /** One received message; exactly one of text/binary is set. */
  public record Message(String text, Buffer binary) {
    public boolean isText() {
      return text != null;
    }

    public JsonObject json() {
      return new JsonObject(text);
    }
  }

  /** The close frame the client received. */
  public record Close(Short code, String reason) {}

  private final ClientWebSocket socket;
  private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
  private final Promise<Close> closed = Promise.promise();

  private RecordingClient(ClientWebSocket socket) {
    this.socket = socket;
    socket.textMessageHandler(t -> messages.add(new Message(t, null)));
    socket.binaryMessageHandler(b -> messages.add(new Message(null, b)));
    socket.closeHandler(v -> closed.tryComplete(new Close(socket.closeStatusCode(), socket.closeReason())));
  }

  /**
   * Handlers are attached before connecting: a server may send its first event in the same TCP read as the handshake
   * response, and a handler attached after the connect future completes would miss it.
   */
  public static Future<RecordingClient> connect(WebSocketClient client, WebSocketConnectOptions options) {
    RecordingClient recorder = new RecordingClient(client.webSocket());
    return recorder.socket.connect(options).map(ws -> recorder);
  }

  public WebSocket socket() {
    return socket;
  }

  public Message next() throws InterruptedException {
    Message m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (m == null) {
      throw new AssertionError("no message within " + WAIT);
    }
    return m;
  }

  /** Skips messages until a JSON event of {@code type} arrives. */
  public JsonObject nextEvent(String type) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Message m = messages.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
      if (m != null && m.isText() && type.equals(m.json().getString("type"))) {
        return m.json();
      }
    }
    throw new AssertionError("no '" + type + "' event within " + WAIT);
  }

  /** The last event {@link #until} returned. */
  public JsonObject lastSeen() {
    return lastSeen;
  }

  /** Every JSON event until (and including) the first of {@code last}. */
  public java.util.List<JsonObject> until(String last) throws InterruptedException {
    java.util.List<JsonObject> events = new java.util.ArrayList<>();
    while (true) {
      JsonObject e = next().json();
      lastSeen = e;
      events.add(e);
      if (last.equals(e.getString("type"))) {
        return events;
      }
    }
  }

  /** The types of some events, in order. */
  public static java.util.List<String> types(java.util.List<JsonObject> events) {
    return events.stream().map(e -> e.getString("type")).toList();
  }

  /** Waits (polling) until a condition observed outside the client holds, e.g. on a fake provider. */
  public static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what + " within " + WAIT);
      }
      Thread.sleep(5);
    }
  }

  public Future<Close> closed() {
    return closed.future();
  }

  public Close awaitClose() throws Exception {
    return closed.future().await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
