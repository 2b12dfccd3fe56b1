package dev.rtrelay.relay.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of a LiteLLM proxy config the relay acts on; every other key (database, callbacks, caching, Redis,
 * UI, ...) is accepted so that a LiteLLM config starts unchanged, and listed once at start as not used. Keys only,
 * never values: those often hold secrets.
 */
final class LiteLlmSettings {
  private static final Set<String> TOP_LEVEL = Set.of("model_list", "general_settings", "litellm_settings",
      "router_settings", "relay_settings", "guardrails", "environment_variables");
  private static final Map<String, Set<String>> SECTIONS = Map.of(
      "general_settings", Set.of("master_key", "virtual_keys", "teams", "webrtc_token_secrets"),
      "litellm_settings", Set.of("logged_real_time_event_types"),
      "router_settings", Set.of("routing_strategy", "allowed_fails", "cooldown_time"));

  private LiteLlmSettings() {}

  /** Keys of the config the relay ignores, as paths ({@code general_settings.database_url}), in file order. */
  static List<String> notUsed(JsonNode root) {
    List<String> unused = new ArrayList<>();
    root.fieldNames().forEachRemaining(name -> {
      if (!TOP_LEVEL.contains(name)) {
        unused.add(clean(name));
      }
    });
    SECTIONS.forEach((section, used) -> {
      JsonNode node = root.path(section);
      if (node.isObject()) {
        node.fieldNames().forEachRemaining(name -> {
          if (!used.contains(name)) {
            unused.add(section + "." + clean(name));
          }
        });
      }
    });
    return List.copyOf(unused);
  }

  /** A key as it may be printed: no control characters (it goes into a log line). */
  private static String clean(String key) {
    return key.codePoints().filter(c -> c >= 0x20 && c != 0x7f)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
  }
}
