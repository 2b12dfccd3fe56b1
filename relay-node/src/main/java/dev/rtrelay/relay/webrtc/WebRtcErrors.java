package dev.rtrelay.relay.webrtc;

import dev.rtrelay.relay.http.RelayException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** Error mapping shared by the two WebRTC endpoints; messages never carry URLs or headers (they may hold keys). */
final class WebRtcErrors {
  private WebRtcErrors() {}

  static RelayException notConfigured() {
    return new RelayException(501, "invalid_request_error", "WebRTC sign-in is not configured on this relay: its "
        + "operator must set general_settings.webrtc_token_secrets (32 random bytes each, e.g. openssl rand -base64 32)"
        + " so it can seal client secrets");
  }

  /** 4xx that are about the request itself, not about our provider key or the provider's capacity. */
  static boolean isClientError(int status) {
    return status / 100 == 4 && status != 401 && status != 403 && status != 408 && status != 429;
  }

  /** The provider's refusal, passed on with its message (providers do not echo keys in error bodies). */
  static RelayException fromUpstream(int status, Buffer body) {
    String message = "Provider refused the request (HTTP " + status + ")";
    try {
      JsonObject error = new JsonObject(body).getJsonObject("error");
      if (error != null && error.getValue("message") instanceof String m && !m.isBlank()) {
        message = message + ": " + m;
      }
    } catch (RuntimeException notJson) {
      // Keep the generic message.
    }
    return new RelayException(status, "invalid_request_error", message);
  }

}
