package dev.rtrelay.relay.http;

import java.util.Optional;

/**
 * A refusal that carries its protocol outcome: the HTTP status and OpenAI-style error type sent before the
 * WebSocket upgrade. Messages are written for the client and must never contain key material.
 */
public final class RelayException extends RuntimeException {
  private final int status;
  private final String type;
  private final Optional<Integer> retryAfterSeconds;

  public RelayException(int status, String type, String message) {
    this(status, type, message, Optional.empty());
  }

  public RelayException(int status, String type, String message, Optional<Integer> retryAfterSeconds) {
    this(status, type, message, retryAfterSeconds, null);
  }

  /** @param cause why, for the relay's own use; never shown to the client */
  public RelayException(int status, String type, String message, Optional<Integer> retryAfterSeconds,
      Throwable cause) {
    super(message, cause, false, false);
    this.status = status;
    this.type = type;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public Optional<Integer> retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public static RelayException badRequest(String message) {
    return new RelayException(400, "invalid_request_error", message);
  }

  public static RelayException unauthorized(String message) {
    return new RelayException(401, "authentication_error", message);
  }

  public static RelayException forbidden(String message) {
    return new RelayException(403, "permission_error", message);
  }

  public static RelayException notFound(String message) {
    return new RelayException(404, "not_found_error", message);
  }

  public static RelayException tooManyRequests(String message) {
    return new RelayException(429, "rate_limit_error", message);
  }
}
