package dev.rtrelay.e2e.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/** A provider stand-in that echoes every data frame unchanged: each echo is one relay round trip to time. */
final class EchoUpstream {
  private final HttpServer server;

  private EchoUpstream(HttpServer server) {
    this.server = server;
  }

  static Future<EchoUpstream> start(Vertx vertx) {
    HttpServer server = vertx.createHttpServer();
    server.requestHandler(req -> req.toWebSocket().onSuccess(ws -> ws.frameHandler(frame -> {
      if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
        ws.writeFrame(frame);
      }
    })));
    return server.listen(0, "127.0.0.1").map(s -> new EchoUpstream(server));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }
}
