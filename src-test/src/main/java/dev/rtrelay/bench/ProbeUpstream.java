package dev.rtrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * The latency probe provider: speaks just enough of the realtime protocol (session.created on connect, an audio
 * delta with the same payload for every input_audio_buffer.append, at once). Runs in its own process during
 * benchmarks ({@link #main}) so its sockets and CPU are not charged to the load generator.
 */
public final class ProbeUpstream {
  private ProbeUpstream() {}

  static Future<HttpServer> start(Vertx vertx, String host, int port) {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)
        .setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(1 << 20)
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false));
    server.webSocketHandler(ws -> {
      ws.textMessageHandler(text -> {
        String answer = ProbeFrames.answer(text);
        if (answer != null && !ws.isClosed()) {
          ws.writeTextMessage(answer);
        }
      });
      ws.exceptionHandler(e -> { });
      ws.writeTextMessage(ProbeFrames.SESSION_CREATED);
    });
    return server.listen(port, host);
  }

  /** {@code ProbeUpstream PORT}: serves until killed; prints {@code probe listening on PORT} when ready. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    Vertx vertx = Vertx.vertx();
    HttpServer server = start(vertx, "127.0.0.1", port).await();
    System.out.println("probe listening on " + server.actualPort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
