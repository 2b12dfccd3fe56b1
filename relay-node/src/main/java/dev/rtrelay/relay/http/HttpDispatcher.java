package dev.rtrelay.relay.http;

import dev.rtrelay.relay.metrics.RelayMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.function.IntSupplier;

/**
 * Routes the handful of paths the relay serves. A plain switch: the route set is tiny and fixed, and the realtime
 * path must not pay for a general router.
 */
public final class HttpDispatcher implements Handler<HttpServerRequest> {
  private final Handler<HttpServerRequest> realtime;
  private final Handler<HttpServerRequest> models;
  private final Handler<HttpServerRequest> metrics;
  private final Handler<HttpServerRequest> clientSecrets;
  private final Handler<HttpServerRequest> calls;
  private final IntSupplier liveSessions;
  private final DrainState drain;
  private final RelayMetrics counters;

  public HttpDispatcher(Handler<HttpServerRequest> realtime, Handler<HttpServerRequest> clientSecrets,
      Handler<HttpServerRequest> calls, Handler<HttpServerRequest> models, Handler<HttpServerRequest> metrics,
      IntSupplier liveSessions, DrainState drain, RelayMetrics counters) {
    this.counters = counters;
    this.drain = drain;
    this.realtime = realtime;
    this.clientSecrets = clientSecrets;
    this.calls = calls;
    this.models = models;
    this.metrics = metrics;
    this.liveSessions = liveSessions;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String path = request.path();
    boolean get = request.method() == HttpMethod.GET;
    String route = route(path);
    // Counted when the response head goes out, whatever answers it (a 101 included).
    request.response().headersEndHandler(v -> counters.httpRequest(route, request.method().name(),
        request.response().getStatusCode()));
    switch (path) {
      // LiteLLM serves realtime under all three prefixes; clients pick whichever their base URL implies.
      case "/v1/realtime", "/realtime", "/openai/v1/realtime" -> {
        if (get) {
          realtime.handle(request);
        } else {
          methodNotAllowed(request);
        }
      }
      case "/v1/realtime/client_secrets", "/realtime/client_secrets", "/openai/v1/realtime/client_secrets" ->
          postOnly(request, clientSecrets);
      // No GET or other verbs: the relay only relays the SDP exchange; call audio never passes through it.
      case "/v1/realtime/calls", "/realtime/calls", "/openai/v1/realtime/calls" -> postOnly(request, calls);
      case "/v1/models", "/models" -> {
        if (get) {
          models.handle(request);
        } else {
          methodNotAllowed(request);
        }
      }
      case "/metrics" -> metrics.handle(request);
      case "/health/liveliness", "/health/liveness" ->
          HttpErrors.respondJson(request, 200, new JsonObject().put("status", "alive"));
      case "/health/readiness" -> HttpErrors.respondJson(request, drain.draining() ? 503 : 200,
          new JsonObject().put("status", drain.draining() ? "draining" : "ready")
              .put("live_sessions", liveSessions.getAsInt()));
      default -> HttpErrors.respond(request, RelayException.notFound("No route for " + request.method() + " " + path));
    }
  }

  /** The metrics label for a path: one of the relay's routes, never the path a client sent. */
  static String route(String path) {
    return switch (path) {
      case "/v1/realtime", "/realtime", "/openai/v1/realtime" -> "realtime";
      case "/v1/realtime/client_secrets", "/realtime/client_secrets", "/openai/v1/realtime/client_secrets" ->
          "client_secrets";
      case "/v1/realtime/calls", "/realtime/calls", "/openai/v1/realtime/calls" -> "calls";
      case "/v1/models", "/models" -> "models";
      case "/metrics" -> "metrics";
      case "/health/liveliness", "/health/liveness", "/health/readiness" -> "health";
      default -> "unknown";
    };
  }

  private static void postOnly(HttpServerRequest request, Handler<HttpServerRequest> handler) {
    if (request.method() == HttpMethod.POST) {
      handler.handle(request);
    } else {
      methodNotAllowed(request);
    }
  }

  private static void methodNotAllowed(HttpServerRequest request) {
    HttpErrors.respond(request, new RelayException(405, "invalid_request_error",
        request.method() + " is not supported on " + request.path()));
  }
}
