package dev.rtrelay.relay.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** The one place where a refusal becomes an HTTP response, in OpenAI's error shape so SDKs surface it. */
public final class HttpErrors {
  private HttpErrors() {}

  public static void respond(HttpServerRequest request, RelayException error) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    JsonObject body = new JsonObject().put("error", new JsonObject()
        .put("message", error.getMessage())
        .put("type", error.type())
        .put("code", error.status()));
    response.setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        // A refused upgrade leaves the connection in an odd state for many WebSocket clients, and a refused client
        // has no business holding a connection: it is closed as soon as the answer is out.
        .putHeader(HttpHeaders.CONNECTION, "close");
    error.retryAfterSeconds().ifPresent(s -> response.putHeader("Retry-After", Integer.toString(s)));
    response.end(body.toBuffer()).onComplete(v -> request.connection().close());
  }

  public static void respondJson(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toBuffer());
  }
}
