package dev.rtrelay.relay.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rtrelay.relay.cost.DefaultPrices;
import dev.rtrelay.relay.cost.ModelPrices;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

/** Resolves a deployment's prices from {@code model_info} and the built-in table. */
final class PriceConfig {
  private PriceConfig() {}

  static Optional<ModelPrices> prices(JsonNode modelInfo, String providerModel, String path) {
    Map<String, BigDecimal> overrides;
    try {
      overrides = modelInfo.isObject() ? DefaultPrices.decimals(modelInfo) : Map.of();
    } catch (NumberFormatException e) {
      throw ConfigException.at(path, "prices must be numbers (USD per token), e.g. input_cost_per_token: 0.000004");
    }
    overrides.forEach((name, value) -> {
      if (value.signum() < 0) {
        throw ConfigException.at(path + "." + name, "must be >= 0");
      }
    });
    // LiteLLM's convention: base_model names the priced model when the deployment name is not one (Azure).
    String base = modelInfo.path("base_model").isTextual() ? modelInfo.get("base_model").asText() : providerModel;
    int slash = base.indexOf('/');
    Optional<ModelPrices> table = DefaultPrices.forModel(slash < 0 ? base : base.substring(slash + 1));
    try {
      if (table.isPresent()) {
        return Optional.of(table.get().with(overrides));
      }
      return overrides.isEmpty() ? Optional.empty() : Optional.of(ModelPrices.of(overrides));
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(path, e.getMessage() + " (the built-in table does not know '" + base + "')");
    }
  }
}
