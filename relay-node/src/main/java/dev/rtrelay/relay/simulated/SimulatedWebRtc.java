package dev.rtrelay.relay.simulated;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.UUID;

/**
 * The simulated provider's WebRTC sign-in: {@code POST /v1/realtime/client_secrets} issues {@code ek_sim_...} keys
 * valid for ten minutes, and {@code POST /v1/realtime/calls} accepts an SDP offer made with one and answers 201 with a
 * {@code Location} and a well-formed SDP answer. A key carries its own expiry, so the simulator of any relay node
 * accepts a key issued by another node's (as one real provider would for a cluster of relays). No media is ever exchanged: this exercises the sign-in path (the
 * relay's part of WebRTC) end to end without a provider account.
 */
final class SimulatedWebRtc {
  private static final long TTL_SECONDS = 600;

  private final Clock clock;

  SimulatedWebRtc(Clock clock) {
    this.clock = clock;
  }

  /** @return false when the request is not a WebRTC sign-in request */
  boolean handle(HttpServerRequest request) {
    switch (request.path()) {
      case "/v1/realtime/client_secrets" -> request.body().onSuccess(body -> clientSecret(request, body));
      case "/v1/realtime/calls" -> request.body().onSuccess(body -> call(request, body));
      default -> {
        return false;
      }
    }
    return true;
  }

  private void clientSecret(HttpServerRequest request, Buffer body) {
    JsonObject session;
    try {
      session = new JsonObject(body).getJsonObject("session", new JsonObject());
    } catch (RuntimeException e) {
      error(request, 400, "body must be JSON");
      return;
    }
    long now = clock.instant().getEpochSecond();
    String key = "ek_sim_" + (now + TTL_SECONDS) + "_" + UUID.randomUUID().toString().replace("-", "");
    JsonObject echoed = session.copy();
    echoed.put("type", session.getString("type", "realtime"));
    echoed.put("model", session.getString("model", "simulated"));
    request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(new JsonObject()
        .put("value", key).put("expires_at", now + TTL_SECONDS).put("session", echoed).encode());
  }

  private void call(HttpServerRequest request, Buffer body) {
    String auth = request.getHeader(HttpHeaders.AUTHORIZATION);
    String key = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
    Long expiry = expiry(key);
    if (expiry == null || expiry <= clock.instant().getEpochSecond()) {
      error(request, 401, "unknown or expired ephemeral key");
      return;
    }
    if (!body.toString().contains("v=0")) {
      error(request, 400, "no SDP offer in the body");
      return;
    }
    String callId = "rtc_sim_" + UUID.randomUUID().toString().replace("-", "");
    String answer = "v=0\r\no=- " + Math.abs(callId.hashCode()) + " 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
        + "a=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
        + "a=rtpmap:111 opus/48000/2\r\na=sendrecv\r\n";
    request.response().setStatusCode(201)
        .putHeader(HttpHeaders.LOCATION, "/v1/realtime/calls/" + callId)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/sdp")
        .end(answer);
  }

  private static Long expiry(String key) {
    String[] parts = key.split("_");
    if (parts.length != 4 || !key.startsWith("ek_sim_")) {
      return null;
    }
    try {
      return Long.parseLong(parts[2]);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void error(HttpServerRequest request, int status, String message) {
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", new JsonObject().put("type", "invalid_request_error")
            .put("message", message)).encode());
  }
}
