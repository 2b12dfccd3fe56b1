package dev.rtrelay.relay.cost;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in price table for OpenAI realtime models ({@code default-prices.json} beside this class). Config
 * overrides it per deployment through {@code model_info}.
 */
public final class DefaultPrices {
  private static final Map<String, ModelPrices> TABLE = load();

  private DefaultPrices() {}

  /** Prices for a provider model name such as {@code gpt-realtime-2025-08-28}, if the table knows it. */
  public static Optional<ModelPrices> forModel(String model) {
    return Optional.ofNullable(TABLE.get(model));
  }

  private static Map<String, ModelPrices> load() {
    ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    try (InputStream in = DefaultPrices.class.getResourceAsStream("default-prices.json")) {
      if (in == null) {
        throw new IllegalStateException("default-prices.json missing from the classpath");
      }
      Map<String, ModelPrices> table = new LinkedHashMap<>();
      JsonNode root = mapper.readTree(in);
      root.fields().forEachRemaining(entry -> {
        if (entry.getValue().isObject()) {
          table.put(entry.getKey(), ModelPrices.of(decimals(entry.getValue())));
        }
      });
      return Map.copyOf(table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The price fields of a JSON object, given as numbers or numeric strings. */
  public static Map<String, BigDecimal> decimals(JsonNode object) {
    Map<String, BigDecimal> fields = new LinkedHashMap<>();
    for (String name : ModelPrices.FIELDS) {
      JsonNode v = object.get(name);
      if (v != null && !v.isNull()) {
        fields.put(name, v.isNumber() ? v.decimalValue() : new BigDecimal(v.asText().trim()));
      }
    }
    return fields;
  }
}
