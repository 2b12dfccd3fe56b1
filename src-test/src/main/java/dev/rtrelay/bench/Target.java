package dev.rtrelay.bench;

import io.vertx.core.http.WebSocketConnectOptions;

/** A path under test: where the load generator connects and with what credentials. */
record Target(String name, int port, String uri, String bearer) {
  WebSocketConnectOptions connectOptions() {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    if (bearer != null) {
      o.addHeader("Authorization", "Bearer " + bearer);
    }
    return o;
  }
}
