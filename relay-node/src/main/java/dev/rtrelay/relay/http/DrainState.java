package dev.rtrelay.relay.http;

/**
 * Whether the node is draining for shutdown: readiness then reports 503 (so load balancers stop sending clients) and
 * new realtime sessions are refused with 503, while live sessions go on until they end or the drain limit passes.
 */
public final class DrainState {
  private volatile boolean draining;

  public boolean draining() {
    return draining;
  }

  public void start() {
    draining = true;
  }

  public static RelayException refusal() {
    return new RelayException(503, "service_unavailable", "This relay node is shutting down and takes no new "
        + "sessions; connect again to be served by another node", java.util.Optional.of(1));
  }
}
