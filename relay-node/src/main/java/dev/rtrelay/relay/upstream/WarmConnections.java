package dev.rtrelay.relay.upstream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Connected TCP (and TLS) connections to provider hosts, held with no request sent, so that a session start sends its
 * upgrade at once instead of paying the connect and TLS round trips. Nothing is opened at the provider: no session, no
 * key, no cost; the upgrade (with the deployment's key) is written only when a session takes the connection.
 *
 * <p>A host's pool is filled after its first session (lazily) up to the deployment's {@code warm_connections}, and
 * kept full while sessions use it. A connection older than the maximum age is closed and replaced before a provider's
 * or load balancer's idle timeout would cut it; one the provider closes, or that receives anything, is dropped. A pool
 * no session used for twice the maximum age is left to drain. One instance per relay verticle: every call runs on its
 * event loop, so nothing is shared across threads.
 */
final class WarmConnections {
  /** Where a connection goes: the same host, port and TLS make a connection reusable. */
  record Key(boolean ssl, String host, int port) {}

  /** How many to keep, and for how long each. */
  record Policy(int size, long maxAgeMillis) {
    static final Policy OFF = new Policy(0, 0);
  }

  private record Warm(NetSocket socket, long openedNanos) {}

  private static final class Pool {
    final ArrayDeque<Warm> idle = new ArrayDeque<>();
    int opening;
    long lastUsedNanos;
  }

  private final Vertx vertx;
  private final WarmStats stats;
  private final Map<Key, Pool> pools = new HashMap<>();

  WarmConnections(Vertx vertx, WarmStats stats) {
    this.vertx = vertx;
    this.stats = stats;
  }

  /** A ready connection to {@code key} for a session to use, or null (a miss: the caller dials). */
  NetSocket take(Key key, Policy policy) {
    Pool pool = pools.computeIfAbsent(key, k -> new Pool());
    long now = System.nanoTime();
    pool.lastUsedNanos = now;
    while (!pool.idle.isEmpty()) {
      Warm warm = pool.idle.pollLast();
      stats.idle(-1);
      long age = now - warm.openedNanos;
      if (age < TimeUnit.MILLISECONDS.toNanos(policy.maxAgeMillis())) {
        // Its handlers are the session's to set from here.
        warm.socket.handler(null).closeHandler(null).exceptionHandler(null);
        stats.hit(age);
        return warm.socket;
      }
      warm.socket.close();
    }
    stats.miss();
    return null;
  }

  /** Opens connections until the pool holds (or is opening) {@code policy.size()}. */
  void refill(Key key, Policy policy, Supplier<Future<NetSocket>> connect) {
    Pool pool = pools.computeIfAbsent(key, k -> new Pool());
    while (pool.idle.size() + pool.opening < policy.size()) {
      pool.opening++;
      connect.get().onComplete(ar -> {
        pool.opening--;
        if (ar.failed()) {
          return; // the next session dials as usual, and refills again
        }
        NetSocket socket = ar.result();
        if (!wanted(pool, policy)) {
          socket.close();
          return;
        }
        Warm warm = new Warm(socket, System.nanoTime());
        // A provider sends nothing before a request: anything else (or a close) ends this connection's use.
        socket.handler(data -> drop(pool, warm));
        socket.exceptionHandler(e -> drop(pool, warm));
        socket.closeHandler(v -> drop(pool, warm));
        pool.idle.addLast(warm);
        stats.idle(1);
        vertx.setTimer(policy.maxAgeMillis(), id -> expire(key, pool, warm, policy, connect));
      });
    }
  }

  /** A pool is kept full while sessions used it within twice the maximum age. */
  private static boolean wanted(Pool pool, Policy policy) {
    return System.nanoTime() - pool.lastUsedNanos < TimeUnit.MILLISECONDS.toNanos(2 * policy.maxAgeMillis());
  }

  private void expire(Key key, Pool pool, Warm warm, Policy policy, Supplier<Future<NetSocket>> connect) {
    if (remove(pool, warm)) {
      warm.socket.close();
      stats.refreshed();
      if (wanted(pool, policy)) {
        refill(key, policy, connect);
      }
    }
  }

  private void drop(Pool pool, Warm warm) {
    if (remove(pool, warm)) {
      warm.socket.close();
    }
  }

  private boolean remove(Pool pool, Warm warm) {
    for (Iterator<Warm> it = pool.idle.iterator(); it.hasNext(); ) {
      if (it.next() == warm) {
        it.remove();
        stats.idle(-1);
        return true;
      }
    }
    return false;
  }

  /** Closes every idle connection (the verticle is stopping). */
  void close() {
    for (Pool pool : pools.values()) {
      for (Warm warm : pool.idle) {
        stats.idle(-1);
        warm.socket.handler(null).closeHandler(null).exceptionHandler(null);
        warm.socket.close();
      }
      pool.idle.clear();
    }
  }
}
