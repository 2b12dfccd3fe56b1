package dev.rtrelay.bench;

import io.vertx.core.http.WebSocketConnectOptions;

/** A path under test: where the load generator connects and with what credentials. */
record Target(String name, int port, String uri, String bearer, boolean tls) {
  Target(String name, int port, String uri, String bearer) {
    this(name, port, uri, bearer, false);
  }

  WebSocketConnectOptions connectOptions() {
    // TLS targets are reached by name, the name their certificate holds.
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(tls ? "localhost" : "127.0.0.1").setPort(port)
        .setURI(uri).setSsl(tls);
    if (bearer != null) {
      o.addHeader("Authorization", "Bearer " + bearer);
    }
    return o;
  }
}
