package dev.rtrelay.relay.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback in front of a test upstream: it sees every connection, including ones that never carry a
 * request (which an HTTP server does not report), and can close those as a provider's idle timeout would.
 */
public final class TcpProxy {
  private final NetServer server;
  private final AtomicInteger connections = new AtomicInteger();
  /** Client-side sockets that have sent nothing yet. */
  private final Set<NetSocket> unused = ConcurrentHashMap.newKeySet();

  private TcpProxy(Vertx vertx, int targetPort) {
    NetClient client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(in -> {
      connections.incrementAndGet();
      unused.add(in);
      in.pause();
      client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
        if (ar.failed()) {
          in.close();
          return;
        }
        NetSocket out = ar.result();
        in.handler(data -> {
          unused.remove(in);
          out.write(data);
        });
        out.handler(in::write);
        in.closeHandler(v -> {
          unused.remove(in);
          out.close();
        });
        out.closeHandler(v -> in.close());
        in.resume();
      });
    });
  }

  public static Future<TcpProxy> start(Vertx vertx, int targetPort) {
    TcpProxy proxy = new TcpProxy(vertx, targetPort);
    return proxy.server.listen(0, "127.0.0.1").map(s -> proxy);
  }

  public int port() {
    return server.actualPort();
  }

  /** Connections accepted, used or not. */
  public int connections() {
    return connections.get();
  }

  /** Open connections that have sent nothing (warm ones, from the relay's side). */
  public int unusedConnections() {
    return unused.size();
  }

  /** Closes every connection that has sent nothing, as a provider's idle timeout would. */
  public void closeUnusedConnections() {
    unused.forEach(NetSocket::close);
  }
}
