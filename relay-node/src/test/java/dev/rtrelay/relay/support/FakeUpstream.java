package dev.rtrelay.relay.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small realtime "provider" for tests: a real WebSocket server on an ephemeral loopback port that records every
 * handshake, and either refuses it with a fixed HTTP status or accepts it and echoes every data frame with its type
 * and fragmentation intact. A text frame {@code close:<code>:<reason>} makes it close the socket with that code.
 */
public final class FakeUpstream {
  public record Handshake(String uri, MultiMap headers) {}

  private final HttpServer server;
  private final int rejectStatus;
  private final List<Handshake> handshakes = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final Promise<Short> firstCloseCode = Promise.promise();
  private final Promise<String> firstCloseReason = Promise.promise();

  private FakeUpstream(Vertx vertx, int rejectStatus) {
    this.rejectStatus = rejectStatus;
    this.server = vertx.createHttpServer(new HttpServerOptions()
        .setMaxWebSocketFrameSize(64 * 1024 * 1024)
        .setMaxWebSocketMessageSize(64 * 1024 * 1024));
    server.requestHandler(request -> {
      handshakes.add(new Handshake(request.uri(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers())));
      if (this.rejectStatus != 0) {
        request.response().setStatusCode(this.rejectStatus).end("{\"error\":\"refused by fake upstream\"}");
        return;
      }
      request.toWebSocket().onSuccess(this::serve);
    });
  }

  /** An upstream that accepts and echoes. */
  public static Future<FakeUpstream> echo(Vertx vertx) {
    return start(new FakeUpstream(vertx, 0));
  }

  /** An upstream that refuses every handshake with {@code status}. */
  public static Future<FakeUpstream> rejecting(Vertx vertx, int status) {
    return start(new FakeUpstream(vertx, status));
  }

  private static Future<FakeUpstream> start(FakeUpstream upstream) {
    return upstream.server.listen(0, "127.0.0.1").map(s -> upstream);
  }

  private void serve(ServerWebSocket ws) {
    accepted.incrementAndGet();
    ws.frameHandler(frame -> {
      if (frame.isText() && frame.isFinal() && frame.textData().startsWith("close:")) {
        String[] parts = frame.textData().split(":", 3);
        ws.close(Short.parseShort(parts[1]), parts[2]);
        return;
      }
      if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
        ws.writeFrame(frame);
      }
    });
    ws.closeHandler(v -> {
      firstCloseCode.tryComplete(ws.closeStatusCode());
      firstCloseReason.tryComplete(ws.closeReason());
    });
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public List<Handshake> handshakes() {
    return handshakes;
  }

  public int acceptedSockets() {
    return accepted.get();
  }

  /** Close code the fake saw on the first socket that closed (sent by the relay). */
  public Future<Short> firstCloseCode() {
    return firstCloseCode.future();
  }

  public Future<String> firstCloseReason() {
    return firstCloseReason.future();
  }
}
