package dev.rtrelay.relay.guardrails;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds guardrails from LiteLLM's {@code guardrails:} config entries. Every problem is an
 * {@link IllegalArgumentException} whose message starts with the field path, for the config loader to report.
 */
public final class GuardrailFactory {
  public static final String CONTENT_FILTER = "litellm_content_filter";
  public static final String GENERIC_API = "generic_guardrail_api";
  /** The types the relay implements, for messages. */
  public static final String SUPPORTED = CONTENT_FILTER + ", " + GENERIC_API;

  /** Whether the relay implements this LiteLLM guardrail type. */
  public static boolean supports(String type) {
    return type.equals(CONTENT_FILTER) || type.equals(GENERIC_API);
  }

  private GuardrailFactory() {}

  /**
   * @param path e.g. {@code guardrails[0]}
   * @param entry the list entry, with {@code guardrail_name} and {@code litellm_params}
   */
  public static Guardrail create(String path, JsonNode entry, Function<String, String> env) {
    String name = text(entry, "guardrail_name", path);
    JsonNode params = entry.path("litellm_params");
    if (!params.isObject()) {
      throw new IllegalArgumentException(path + ".litellm_params: missing; it holds the guardrail type and settings");
    }
    String paramsPath = path + ".litellm_params";
    String type = text(params, "guardrail", paramsPath);
    Set<GuardrailMode> modes = modes(params.path("mode"), paramsPath + ".mode");
    boolean defaultOn = params.path("default_on").asBoolean(false);
    Guardrail guardrail = switch (type) {
      case CONTENT_FILTER -> contentFilter(name, modes, defaultOn, params, paramsPath);
      case GENERIC_API -> genericApi(name, modes, defaultOn, params, paramsPath, env);
      default -> throw new IllegalArgumentException(paramsPath + ".guardrail: unsupported type '" + type
          + "' (supported: " + SUPPORTED + ")");
    };
    if (params.path("hold_response_until_checked").asBoolean(false)) {
      if (!modes.contains(GuardrailMode.DURING_CALL)) {
        throw new IllegalArgumentException(paramsPath + ".hold_response_until_checked: only applies to mode "
            + "during_call (realtime_input_transcription)");
      }
      return new HoldingGuardrail(guardrail);
    }
    return guardrail;
  }

  private static GenericGuardrailApi genericApi(String name, Set<GuardrailMode> modes, boolean defaultOn,
      JsonNode params, String path, Function<String, String> env) {
    String base = params.hasNonNull("api_base") ? resolve(params.get("api_base").asText(), path + ".api_base", env)
        : env.apply("GENERIC_GUARDRAIL_API_BASE");
    if (base == null || base.isBlank()) {
      throw new IllegalArgumentException(path + ".api_base: missing (or set GENERIC_GUARDRAIL_API_BASE)");
    }
    if (!base.startsWith("http://") && !base.startsWith("https://")) {
      throw new IllegalArgumentException(path + ".api_base: must start with http:// or https://");
    }
    String trimmed = base.replaceAll("/+$", "");
    String endpoint = trimmed.endsWith(GenericGuardrailApi.PATH) ? trimmed : trimmed + GenericGuardrailApi.PATH;
    String apiKey = params.hasNonNull("api_key") ? resolve(params.get("api_key").asText(), path + ".api_key", env)
        : null;
    Map<String, String> headers = new LinkedHashMap<>();
    params.path("headers").fields().forEachRemaining(f -> headers.put(f.getKey(),
        resolve(f.getValue().asText(), path + ".headers." + f.getKey(), env)));
    JsonObject extra = params.path("additional_provider_specific_params").isObject()
        ? new JsonObject(params.get("additional_provider_specific_params").toString()) : new JsonObject();
    String fallback = params.path("unreachable_fallback").asText("fail_closed");
    if (!fallback.equals("fail_closed") && !fallback.equals("fail_open")) {
      throw new IllegalArgumentException(path + ".unreachable_fallback: must be fail_closed or fail_open");
    }
    double timeout = params.path("timeout_seconds").asDouble(5);
    if (timeout <= 0) {
      throw new IllegalArgumentException(path + ".timeout_seconds: must be > 0");
    }
    int connections = positiveInt(params, "max_connections", 50, path);
    int queued = positiveInt(params, "max_queued_checks", 500, path);
    int perSession = positiveInt(params, "max_checks_per_session", 4, path);
    return new GenericGuardrailApi(name, modes, defaultOn, new GenericGuardrailApi.Settings(endpoint, apiKey,
        Map.copyOf(headers), extra, fallback.equals("fail_open"), (long) (timeout * 1000),
        new GenericGuardrailApi.Limits(connections, queued, perSession)), null);
  }

  private static int positiveInt(JsonNode params, String field, int fallback, String path) {
    JsonNode value = params.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
      throw new IllegalArgumentException(path + "." + field + ": must be a whole number of at least 1");
    }
    return value.asInt();
  }

  /** LiteLLM's {@code os.environ/NAME} indirection for secrets in guardrail settings. */
  private static String resolve(String value, String path, Function<String, String> env) {
    if (!value.startsWith("os.environ/")) {
      return value;
    }
    String variable = value.substring("os.environ/".length());
    String resolved = env.apply(variable);
    if (resolved == null || resolved.isBlank()) {
      throw new IllegalArgumentException(path + ": environment variable " + variable + " is not set");
    }
    return resolved;
  }

  private static Set<GuardrailMode> modes(JsonNode node, String path) {
    if (node.isMissingNode() || node.isNull()) {
      return EnumSet.of(GuardrailMode.PRE_CALL);
    }
    List<JsonNode> values = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(values::add);
    } else {
      values.add(node);
    }
    Set<GuardrailMode> modes = EnumSet.noneOf(GuardrailMode.class);
    for (JsonNode v : values) {
      modes.add(GuardrailMode.parse(v.asText()).orElseThrow(() -> new IllegalArgumentException(path
          + ": unknown mode '" + v.asText() + "' (pre_call, during_call, post_call, realtime_input_transcription)")));
    }
    return modes;
  }

  private static ContentFilter contentFilter(String name, Set<GuardrailMode> modes, boolean defaultOn, JsonNode params,
      String path) {
    List<ContentFilter.Rule> rules = new ArrayList<>();
    JsonNode patterns = params.path("patterns");
    for (int i = 0; i < patterns.size(); i++) {
      String p = path + ".patterns[" + i + "]";
      JsonNode entry = patterns.get(i);
      String kind = text(entry, "pattern_type", p);
      ContentFilter.Action action = action(entry, p);
      String regex;
      String label;
      if (kind.equals("prebuilt")) {
        label = text(entry, "pattern_name", p);
        regex = PrebuiltPatterns.ALL.get(label);
        if (regex == null) {
          throw new IllegalArgumentException(p + ".pattern_name: unknown prebuilt pattern '" + label + "' (known: "
              + PrebuiltPatterns.names() + ")");
        }
      } else if (kind.equals("regex")) {
        regex = text(entry, "pattern", p);
        label = entry.path("name").asText("custom_regex");
      } else {
        throw new IllegalArgumentException(p + ".pattern_type: must be prebuilt or regex");
      }
      try {
        rules.add(new ContentFilter.Rule(label, Pattern.compile(regex, Pattern.CASE_INSENSITIVE), action, false, null));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(p + ".pattern: invalid regular expression (" + e.getDescription() + ")");
      }
    }
    if (params.path("categories").size() > 0) {
      // Refused rather than ignored: a config that counts on category blocking must not run unprotected.
      throw new IllegalArgumentException(path + ".categories: LiteLLM's category files are not supported yet; "
          + "express them as patterns or blocked_words");
    }
    List<JsonNode> words = new ArrayList<>();
    List<String> wordPaths = new ArrayList<>();
    JsonNode inline = params.path("blocked_words");
    for (int i = 0; i < inline.size(); i++) {
      words.add(inline.get(i));
      wordPaths.add(path + ".blocked_words[" + i + "]");
    }
    if (params.hasNonNull("blocked_words_file")) {
      String file = params.get("blocked_words_file").asText();
      JsonNode fromFile;
      try {
        fromFile = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readTree(java.nio.file.Path.of(file).toFile()).path("blocked_words");
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(path + ".blocked_words_file: cannot read " + file + " ("
            + e.getClass().getSimpleName() + ")");
      }
      if (!fromFile.isArray()) {
        throw new IllegalArgumentException(path + ".blocked_words_file: " + file + " has no blocked_words: list");
      }
      for (int i = 0; i < fromFile.size(); i++) {
        words.add(fromFile.get(i));
        wordPaths.add(file + ": blocked_words[" + i + "]");
      }
    }
    for (int i = 0; i < words.size(); i++) {
      String p = wordPaths.get(i);
      JsonNode entry = words.get(i);
      String keyword = text(entry, "keyword", p).toLowerCase(java.util.Locale.ROOT);
      JsonNode description = entry.path("description");
      rules.add(new ContentFilter.Rule(keyword, Pattern.compile(Pattern.quote(keyword), Pattern.CASE_INSENSITIVE
          | Pattern.UNICODE_CASE), action(entry, p), true, description.isTextual() ? description.asText() : null));
    }
    if (rules.isEmpty()) {
      throw new IllegalArgumentException(path + ": a content filter needs patterns or blocked_words");
    }
    return new ContentFilter(name, modes, defaultOn, List.copyOf(rules),
        params.path("pattern_redaction_format").asText("[{pattern_name}_REDACTED]"),
        params.path("keyword_redaction_tag").asText("[KEYWORD_REDACTED]"));
  }

  private static ContentFilter.Action action(JsonNode entry, String path) {
    String value = text(entry, "action", path);
    try {
      return ContentFilter.Action.valueOf(value.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ".action: must be BLOCK or MASK");
    }
  }

  private static String text(JsonNode node, String field, String path) {
    JsonNode v = node.path(field);
    if (!v.isValueNode() || v.asText().isBlank()) {
      throw new IllegalArgumentException(path + "." + field + ": missing");
    }
    return v.asText();
  }
}
