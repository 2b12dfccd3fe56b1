package dev.rtrelay.relay.config;

/**
 * LiteLLM's {@code router_settings} subset that matters for realtime: a deployment that fails {@code allowedFails}
 * handshakes in a row is skipped for {@code cooldownSeconds}.
 */
public record RouterSettings(RoutingStrategy strategy, int allowedFails, double cooldownSeconds) {
  /** LiteLLM's defaults: simple-shuffle, 3 allowed fails, 5 s cooldown. */
  public static RouterSettings defaults() {
    return new RouterSettings(RoutingStrategy.SIMPLE_SHUFFLE, 3, 5);
  }
}
