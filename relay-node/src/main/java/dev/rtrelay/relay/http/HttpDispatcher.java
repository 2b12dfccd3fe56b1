package dev.rtrelay.relay.http;

import dev.rtrelay.relay.metrics.RelayMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * Routes the handful of paths the public port serves, all of them for clients. A plain switch: the route set is tiny
 * and fixed, and the realtime path must not pay for a general router. Metrics and health are for operators and live
 * on the management listener ({@code ManagementVerticle}).
 */
public final class HttpDispatcher implements Handler<HttpServerRequest> {
  private final Handler<HttpServerRequest> realtime;
  private final Handler<HttpServerRequest> models;
  private final Handler<HttpServerRequest> clientSecrets;
  private final Handler<HttpServerRequest> calls;
  private final RelayMetrics counters;

  public HttpDispatcher(Handler<HttpServerRequest> realtime, Handler<HttpServerRequest> clientSecrets,
      Handler<HttpServerRequest> calls, Handler<HttpServerRequest> models, RelayMetrics counters) {
    this.counters = counters;
    this.realtime = realtime;
    this.clientSecrets = clientSecrets;
    this.calls = calls;
    this.models = models;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String path = request.path();
    boolean get = request.method() == HttpMethod.GET;
    String route = route(path);
    // Counted when the response head goes out, whatever answers it (a 101 included).
    request.response().headersEndHandler(v -> counters.httpRequest(route, request.method().name(),
        request.response().getStatusCode()));
    switch (route) {
      case "realtime" -> {
        if (get) {
          realtime.handle(request);
        } else {
          methodNotAllowed(request);
        }
      }
      case "client_secrets" -> postOnly(request, clientSecrets);
      // No GET or other verbs: the relay only relays the SDP exchange; call audio never passes through it.
      case "calls" -> postOnly(request, calls);
      case "models" -> {
        if (get) {
          models.handle(request);
        } else {
          methodNotAllowed(request);
        }
      }
      default -> HttpErrors.respond(request, RelayException.notFound("No route for " + request.method() + " " + path));
    }
  }

  /**
   * The route a path belongs to, also its metrics label: one of the relay's routes, never the path a client sent.
   * LiteLLM serves realtime under all three prefixes; clients pick whichever their base URL implies.
   */
  static String route(String path) {
    return switch (path) {
      case "/v1/realtime", "/realtime", "/openai/v1/realtime" -> "realtime";
      case "/v1/realtime/client_secrets", "/realtime/client_secrets", "/openai/v1/realtime/client_secrets" ->
          "client_secrets";
      case "/v1/realtime/calls", "/realtime/calls", "/openai/v1/realtime/calls" -> "calls";
      case "/v1/models", "/models" -> "models";
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
