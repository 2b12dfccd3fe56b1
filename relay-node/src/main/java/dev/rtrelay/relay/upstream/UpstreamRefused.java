package dev.rtrelay.relay.upstream;

/**
 * A provider refused a connection with an HTTP status, for transports that are not a WebSocket handshake (Bedrock's
 * HTTP/2 stream). Counted like a refused handshake: 429 as rate limited, 5xx as a provider failure.
 */
public final class UpstreamRefused extends RuntimeException {
  private final int status;

  /** @param detail safe to show: a status and an error code, never a credential */
  public UpstreamRefused(int status, String detail) {
    super(detail, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
