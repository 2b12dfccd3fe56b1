package dev.rtrelay.relay.simulated;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An in-process stand-in for the OpenAI Realtime WebSocket endpoint (and its WebRTC sign-in endpoints), so a relay can be run, demonstrated and
 * tested end to end without a provider key. It speaks both the GA and the beta event vocabulary and answers
 * every response deterministically (fixed reply text, a synthetic tone as audio, reproducible usage).
 */
public final class SimulatedRealtimeProvider {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedRealtimeProvider.class);
  private static final String HOST = "127.0.0.1";
  private static final String PATH = "/v1/realtime";
  private static final String DEFAULT_MODEL = "simulated";

  private final HttpServer server;
  private final int port;

  private SimulatedRealtimeProvider(HttpServer server) {
    this.server = server;
    this.port = server.actualPort();
  }

  /** Starts listening on 127.0.0.1:0. maxMessageBytes sets server max WebSocket frame and message size. */
  public static Future<SimulatedRealtimeProvider> start(Vertx vertx, int maxMessageBytes) {
    if (maxMessageBytes <= 0) {
      return Future.failedFuture(new IllegalArgumentException("maxMessageBytes must be positive"));
    }
    HttpServerOptions options = new HttpServerOptions()
        .setHost(HOST)
        .setPort(0)
        .setMaxWebSocketFrameSize(maxMessageBytes)
        .setMaxWebSocketMessageSize(maxMessageBytes)
        // Clients that offer "realtime" (browsers, the ws library) fail the connection unless it is selected.
        .setWebSocketSubProtocols(List.of("realtime"));
    IdSource ids = new IdSource();
    SimulatedWebRtc webRtc = new SimulatedWebRtc(java.time.Clock.systemUTC());
    return vertx.createHttpServer(options)
        .webSocketHandshakeHandler(SimulatedRealtimeProvider::onHandshake)
        .webSocketHandler(ws -> onConnected(ws, ids))
        .requestHandler(request -> {
          if (!webRtc.handle(request)) {
            onPlainRequest(request);
          }
        })
        .listen()
        .map(SimulatedRealtimeProvider::new)
        .onSuccess(provider -> LOG.info("Simulated realtime provider listening on {}:{}", HOST, provider.port));
  }

  public int port() {
    return port;
  }

  public Future<Void> close() {
    return server.close().onSuccess(v -> LOG.info("Simulated realtime provider on port {} stopped", port));
  }

  // Any credentials are accepted on purpose: the provider is simulated and holds nothing worth protecting.
  private static void onHandshake(ServerWebSocketHandshake handshake) {
    if (PATH.equals(handshake.path())) {
      handshake.accept();
    } else {
      handshake.reject(404);
    }
  }

  private static void onConnected(ServerWebSocket ws, IdSource ids) {
    ProtocolFlavour flavour = ProtocolFlavour.fromHandshake(ws.headers());
    String model = queryParam(ws.query(), "model");
    if (model == null || model.isBlank()) {
      model = DEFAULT_MODEL;
    }
    // Neither headers nor the query string are logged: real clients put keys in both.
    LOG.debug("Simulated realtime connection from {} (flavour {}, model {})", ws.remoteAddress(), flavour, model);
    new SimulatedSession(ws, flavour, model, ids).start();
  }

  private static void onPlainRequest(HttpServerRequest request) {
    boolean realtimePath = PATH.equals(request.path());
    int status = realtimePath ? 426 : 404;
    String message = realtimePath ? "This endpoint only accepts WebSocket upgrades." : "Not found.";
    request.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject()
            .put("error", new JsonObject().put("type", "invalid_request_error").put("message", message))
            .encode());
  }

  static String queryParam(String query, String name) {
    if (query == null || query.isEmpty()) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (decode(key).equals(name)) {
        return eq < 0 ? "" : decode(pair.substring(eq + 1));
      }
    }
    return null;
  }

  private static String decode(String value) {
    try {
      return URLDecoder.decode(value, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // A malformed escape is not worth failing the connection over; keep the raw text.
      return value;
    }
  }
}
