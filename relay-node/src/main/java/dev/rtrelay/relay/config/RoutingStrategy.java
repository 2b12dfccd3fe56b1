package dev.rtrelay.relay.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** LiteLLM {@code router_settings.routing_strategy} values this relay implements. */
public enum RoutingStrategy {
  SIMPLE_SHUFFLE("simple-shuffle"),
  LEAST_BUSY("least-busy"),
  /** The lowest recent time to first audio (voice latency, measured by the relay on every response). */
  LATENCY_BASED("latency-based-routing");

  /**
   * LiteLLM's other strategies: accepted so that a LiteLLM proxy's config starts unchanged, and run as
   * {@link #LEAST_BUSY} (with a warning at start).
   */
  public static final List<String> LITELLM_FALLBACKS = List.of("usage-based-routing", "usage-based-routing-v2",
      "cost-based-routing");

  private final String configName;

  RoutingStrategy(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  public static Optional<RoutingStrategy> byName(String name) {
    return Arrays.stream(values()).filter(s -> s.configName.equals(name)).findFirst();
  }
}
