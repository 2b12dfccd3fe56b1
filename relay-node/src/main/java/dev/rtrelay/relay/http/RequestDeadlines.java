package dev.rtrelay.relay.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.HashMap;
import java.util.Map;

/**
 * Bounds how long a connection may take to send a whole request head: from when it opens, and again from each answer
 * on a kept-alive connection. A client trickling an upgrade request a byte at a time (slowloris), or holding a
 * connection open without asking anything, is closed after {@code timeoutMillis}, whatever the ping settings: the
 * read-idle limit alone cannot catch a peer that sends one byte just often enough.
 *
 * <p>One instance per relay verticle; every call runs on that verticle's event loop, so the map needs no locking. An
 * entry lives at most {@code timeoutMillis}: it goes when the head arrives or when its timer fires.
 *
 * <p>Two Vert.x 5.0.7 behaviours shape this (both seen here): the connection handler runs when the channel opens only
 * when cleartext HTTP/2 detection is off (the server turns it off), and {@code HttpConnection.close()} waits for the
 * unfinished request head, so an overdue connection's channel is closed directly.
 */
public final class RequestDeadlines {
  private final Vertx vertx;
  private final long timeoutMillis;
  private final Map<HttpConnection, Long> timers = new HashMap<>();

  public RequestDeadlines(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.timeoutMillis = timeoutMillis;
  }

  /** A connection was accepted: its first request head must arrive in time. */
  public void opened(HttpConnection connection) {
    arm(connection);
  }

  /**
   * A request head arrived. An upgrade leaves HTTP for good; any other request gets a new deadline once answered,
   * for the next request on the same connection.
   */
  public void arrived(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    Long timer = timers.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
    if (!request.canUpgradeToWebSocket()) {
      request.response().endHandler(v -> arm(connection));
    }
  }

  /** Connections currently waiting for a request head (for tests and diagnostics). */
  public int pending() {
    return timers.size();
  }

  private void arm(HttpConnection connection) {
    timers.put(connection, vertx.setTimer(timeoutMillis, id -> {
      if (timers.remove(connection, id)) {
        ((ConnectionBase) connection).channel().close();
      }
    }));
  }
}
