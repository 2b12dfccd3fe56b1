package dev.rtrelay.relay.config;

import java.util.Arrays;
import java.util.Optional;

/** LiteLLM {@code router_settings.routing_strategy} values this relay implements. */
public enum RoutingStrategy {
  SIMPLE_SHUFFLE("simple-shuffle"),
  LEAST_BUSY("least-busy");

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
