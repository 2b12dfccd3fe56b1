package dev.rtrelay.relay.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * LiteLLM's top-level {@code environment_variables:} mapping: set before the rest of the config is read, so that
 * {@code os.environ/NAME} references (and provider key fallbacks such as {@code OPENAI_API_KEY}) see them, over the
 * process environment. A value may itself be an {@code os.environ/NAME} reference to the process environment. Values
 * are never logged; only the relay's own reading of the config sees them (the process environment is not changed).
 */
final class EnvironmentVariables {
  private EnvironmentVariables() {}

  static Function<String, String> over(JsonNode node, Function<String, String> env) {
    if (node.isMissingNode() || node.isNull()) {
      return env;
    }
    if (!node.isObject()) {
      throw ConfigException.at("environment_variables", "must be a mapping of NAME: value");
    }
    Map<String, String> set = new HashMap<>();
    node.fields().forEachRemaining(field -> {
      JsonNode value = field.getValue();
      if (!value.isValueNode() || value.isNull()) {
        throw ConfigException.at("environment_variables." + field.getKey(), "must be a single value");
      }
      String text = value.asText();
      if (text.startsWith(ConfigLoader.ENV_PREFIX)) {
        String resolved = env.apply(text.substring(ConfigLoader.ENV_PREFIX.length()));
        if (resolved == null) {
          // Left unset, as LiteLLM leaves it: a reference to it fails where it is used, naming that field.
          return;
        }
        text = resolved;
      }
      set.put(field.getKey(), text);
    });
    return name -> set.containsKey(name) ? set.get(name) : env.apply(name);
  }
}
