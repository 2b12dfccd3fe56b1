package dev.rtrelay.relay.ws;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;

/** A session's two sockets and what is done to both alike: keep-alive pings and closes passed from one to the other. */
record SocketPair(ServerWebSocket client, WebSocket upstream) {
  private static final Buffer PING_PAYLOAD = Buffer.buffer("rtrelay");

  /** Keeps idle load balancers and NATs from cutting quiet sessions; peers answer with pongs automatically. */
  void ping() {
    pingIfOpen(client);
    pingIfOpen(upstream);
  }

  void closeBoth(short code, String reason) {
    if (!client.isClosed()) {
      client.close(code, reason);
    }
    if (!upstream.isClosed()) {
      upstream.close(code, reason);
    }
  }

  /** The client closed: the upstream gets the client's code (mapped where the protocol requires). */
  void passClientClose() {
    if (!upstream.isClosed()) {
      upstream.close(CloseCodes.towardUpstream(client.closeStatusCode()), CloseCodes.reason(client.closeReason()));
    }
  }

  /** The upstream closed: the client gets its code, or 1011 "upstream connection lost" when it just dropped. */
  void passUpstreamClose() {
    Short code = upstream.closeStatusCode();
    if (!client.isClosed()) {
      String reason = code == null || code == 1006 ? "upstream connection lost" : upstream.closeReason();
      client.close(CloseCodes.towardClient(code), CloseCodes.reason(reason));
    }
  }

  static void pingIfOpen(WebSocketBase socket) {
    if (!socket.isClosed()) {
      socket.writePing(PING_PAYLOAD);
    }
  }
}
