package dev.rtrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A TCP proxy on loopback that delays every chunk by a fixed time in each direction, in order: a provider some
 * distance away, for everything that crosses the connection as data (TLS handshakes, HTTP upgrades, frames). The TCP
 * handshake itself is local, so a fresh connection's cost shows as its TLS and upgrade round trips.
 */
final class DelayProxy {
  private final NetServer server;

  private DelayProxy(Vertx vertx, String targetHost, int targetPort, long delayMillis) {
    NetClient client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(in -> {
      in.pause();
      client.connect(targetPort, targetHost).onComplete(ar -> {
        if (ar.failed()) {
          in.close();
          return;
        }
        NetSocket out = ar.result();
        pipe(vertx, in, out, delayMillis);
        pipe(vertx, out, in, delayMillis);
        in.resume();
      });
    });
  }

  /** Timers of equal delay fire in the order they were set, so chunks keep their order. */
  private static void pipe(Vertx vertx, NetSocket from, NetSocket to, long delayMillis) {
    from.handler(data -> {
      Buffer copy = data.copy();
      vertx.setTimer(delayMillis, id -> to.write(copy));
    });
    from.closeHandler(v -> vertx.setTimer(delayMillis, id -> to.close()));
    from.exceptionHandler(e -> to.close());
  }

  static Future<DelayProxy> start(Vertx vertx, String targetHost, int targetPort, long delayMillis) {
    DelayProxy proxy = new DelayProxy(vertx, targetHost, targetPort, delayMillis);
    return proxy.server.listen(0, "127.0.0.1").map(s -> proxy);
  }

  int port() {
    return server.actualPort();
  }

  Future<Void> close() {
    return server.close();
  }
}
