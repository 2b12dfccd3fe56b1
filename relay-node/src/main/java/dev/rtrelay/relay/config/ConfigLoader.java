package dev.rtrelay.relay.config;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.rtrelay.relay.guardrails.Guardrail;
import dev.rtrelay.relay.guardrails.GuardrailFactory;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a LiteLLM-format {@code config.yaml} into a {@link RelayConfig}. Every problem is reported as one
 * {@link ConfigException} whose message starts with the field path (e.g. {@code model_list[1].litellm_params.model}),
 * so an operator can fix it without reading code. Environment lookups go through {@code env} so tests need no
 * process environment.
 */
public final class ConfigLoader {
  static final String ENV_PREFIX = "os.environ/";
  static final int MAX_WARM_CONNECTIONS = 16;
  /** Below the 60 s idle timeouts common at providers' and cloud load balancers' front doors. */
  static final double DEFAULT_WARM_MAX_AGE_SECONDS = 50;

  private final Function<String, String> env;
  private final ObjectMapper yaml;

  public ConfigLoader(Function<String, String> env) {
    this.env = env;
    // Exact decimals for prices such as 0.0000004, which a double cannot hold.
    this.yaml = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    // LiteLLM silently keeps the last duplicate; a duplicated api_key or model_name is almost always a paste error.
    this.yaml.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  public static ConfigLoader withSystemEnv() {
    return new ConfigLoader(System::getenv);
  }

  public RelayConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": file not found");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read (" + e.getClass().getSimpleName() + ")");
    }
    return parse(text, file.toString());
  }

  public RelayConfig parse(String text, String sourceName) {
    JsonNode root;
    try {
      root = yaml.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException(sourceName + ": " + describeYamlError(e));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new ConfigException(sourceName + ": empty file; expected at least a model_list");
    }
    if (!root.isObject()) {
      throw new ConfigException(sourceName + ": top level must be a mapping with model_list, general_settings, ...");
    }
    // LiteLLM sets environment_variables before it reads anything else, so os.environ/ references see them.
    return new ConfigLoader(EnvironmentVariables.over(root.path("environment_variables"), env)).parseTree(root);
  }

  private RelayConfig parseTree(JsonNode root) {
    List<SkippedDeployment> skipped = new ArrayList<>();
    List<DeploymentConfig> deployments = deployments(root.path("model_list"), skipped);
    JsonNode general = objectOrEmpty(root, "general_settings");
    // LiteLLM reads the master key from LITELLM_MASTER_KEY when general_settings has none.
    Optional<Secret> masterKey = optionalText(general, "master_key", "general_settings.master_key")
        .or(() -> Optional.ofNullable(env.apply("LITELLM_MASTER_KEY")).map(String::trim).filter(k -> !k.isEmpty()))
        .map(Secret::new);
    Map<String, String> unsupportedGuardrails = new LinkedHashMap<>();
    List<Guardrail> guardrails = guardrails(root.path("guardrails"), unsupportedGuardrails);
    Set<String> guardrailNames = new LinkedHashSet<>();
    guardrails.forEach(g -> guardrailNames.add(g.name()));
    List<VirtualKeyConfig> keys = virtualKeys(general.path("virtual_keys"), guardrailNames, unsupportedGuardrails);
    Map<String, KeyQuota> teamQuotas = teamQuotas(general.path("teams"));
    Map<String, List<String>> teamGuardrails = teamGuardrails(general.path("teams"), guardrailNames,
        unsupportedGuardrails);
    List<String> warnings = new ArrayList<>();
    unsupportedGuardrails.forEach((name, type) -> warnings.add("guardrail '" + name + "': type '" + type
        + "' is not implemented by the relay; not loaded (a session that asks for it is refused)"));
    RouterSettings router = routerSettings(objectOrEmpty(root, "router_settings"), warnings);
    return new RelayConfig(
        deployments,
        masterKey,
        keys,
        router,
        relaySettings(objectOrEmpty(root, "relay_settings")),
        loggedEventTypes(objectOrEmpty(root, "litellm_settings").path("logged_real_time_event_types")),
        guardrails, teamGuardrails, teamQuotas, tokenSecrets(general.path("webrtc_token_secrets")),
        List.copyOf(skipped), LiteLlmSettings.notUsed(root), List.copyOf(warnings));
  }

  /** 32 random bytes in base64 without padding: what {@code openssl rand -base64 32} prints, less its "=". */
  static final int MIN_TOKEN_SECRET_CHARS = 43;
  /** A record must at least hold its envelope and an event's type. */
  static final int MIN_LOGGED_EVENT_BYTES = 1024;

  /** One secret or a list (newest first, for rotation); each long enough to be a real key. */
  private List<Secret> tokenSecrets(JsonNode node) {
    String path = "general_settings.webrtc_token_secrets";
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    List<Secret> secrets = new ArrayList<>();
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        secrets.add(new Secret(optionalText(node, i, path + "[" + i + "]")));
      }
    } else {
      secrets.add(new Secret(optionalText(objectHolding(node), "v", path).orElseThrow()));
    }
    for (Secret s : secrets) {
      if (s.reveal().length() < MIN_TOKEN_SECRET_CHARS) {
        throw ConfigException.at(path, "each secret must be at least " + MIN_TOKEN_SECRET_CHARS
            + " characters: 32 random bytes, base64-encoded (openssl rand -base64 32)");
      }
    }
    return List.copyOf(secrets);
  }

  private String optionalText(JsonNode array, int index, String path) {
    return optionalText(objectHolding(array.get(index)), "v", path)
        .orElseThrow(() -> ConfigException.at(path, "is empty"));
  }

  private static JsonNode objectHolding(JsonNode value) {
    return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().set("v", value);
  }

  /**
   * @param unsupported filled with the guardrails of a type the relay does not implement (name to type): skipped, so
   *     that a LiteLLM config starts, unless one is {@code default_on} (every session would go unchecked by it)
   */
  private List<Guardrail> guardrails(JsonNode list, Map<String, String> unsupported) {
    if (list.isMissingNode() || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw ConfigException.at("guardrails", "must be a list of {guardrail_name, litellm_params}");
    }
    List<Guardrail> result = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode params = list.get(i).path("litellm_params");
      String type = params.path("guardrail").asText("");
      if (params.isObject() && !type.isEmpty() && !GuardrailFactory.supports(type)) {
        String name = list.get(i).path("guardrail_name").asText("guardrails[" + i + "]");
        if (params.path("default_on").asBoolean(false)) {
          throw ConfigException.at("guardrails[" + i + "].litellm_params.guardrail", "type '" + type + "' is not "
              + "implemented by the relay (it implements " + GuardrailFactory.SUPPORTED + "), and this guardrail is "
              + "default_on: every session would go unchecked by it");
        }
        unsupported.put(name, type);
        continue;
      }
      Guardrail g;
      try {
        g = GuardrailFactory.create("guardrails[" + i + "]", list.get(i), env);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
      if (!names.add(g.name())) {
        throw ConfigException.at("guardrails[" + i + "].guardrail_name", "duplicate name '" + g.name() + "'");
      }
      result.add(g);
    }
    return List.copyOf(result);
  }

  /** Guardrail names from a {@code guardrails:} list, each checked against the configured ones. */
  private static List<String> guardrailNames(JsonNode node, String path, Set<String> known,
      Map<String, String> unsupported) {
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw ConfigException.at(path, "must be a list of guardrail names");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode n : node) {
      if (unsupported.containsKey(n.asText())) {
        // Fail closed: the key's or team's traffic would otherwise go unchecked by a guardrail the operator set.
        throw ConfigException.at(path, "guardrail '" + n.asText() + "' is of type '" + unsupported.get(n.asText())
            + "', which the relay does not implement (it implements " + GuardrailFactory.SUPPORTED + ")");
      }
      if (!known.contains(n.asText())) {
        throw ConfigException.at(path, "unknown guardrail '" + n.asText() + "' (configured: " + known + ")");
      }
      names.add(n.asText());
    }
    return List.copyOf(names);
  }

  private static Map<String, List<String>> teamGuardrails(JsonNode list, Set<String> known,
      Map<String, String> unsupported) {
    if (list.isMissingNode() || list.isNull()) {
      return Map.of();
    }
    if (!list.isArray()) {
      throw ConfigException.at("general_settings.teams", "must be a list of {team_id, guardrails}");
    }
    Map<String, List<String>> teams = new LinkedHashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "general_settings.teams[" + i + "]";
      JsonNode team = list.get(i);
      if (!team.path("team_id").isTextual()) {
        throw ConfigException.at(path + ".team_id", "missing");
      }
      teams.put(team.get("team_id").asText(), guardrailNames(team.path("guardrails"), path + ".guardrails", known, unsupported));
    }
    return Map.copyOf(teams);
  }

  /** Teams' limits ({@code max_budget}, {@code budget_duration}, {@code max_parallel_requests}, {@code rpm_limit}). */
  private Map<String, KeyQuota> teamQuotas(JsonNode list) {
    Map<String, KeyQuota> quotas = new LinkedHashMap<>();
    if (list.isArray()) {
      for (int i = 0; i < list.size(); i++) {
        JsonNode team = list.get(i);
        if (team.path("team_id").isTextual()) {
          quotas.put(team.get("team_id").asText(), quota(team, "general_settings.teams[" + i + "]"));
        }
      }
    }
    return Map.copyOf(quotas);
  }

  private static String describeYamlError(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (e instanceof JsonParseException && message.startsWith("Duplicate field")) {
      message = "duplicate key " + message.substring("Duplicate field ".length());
    }
    var location = e.getLocation();
    return location == null ? message : "line " + location.getLineNr() + ": " + message;
  }

  private List<DeploymentConfig> deployments(JsonNode list, List<SkippedDeployment> skipped) {
    if (list.isMissingNode() || list.isNull()) {
      // A LiteLLM proxy may keep its models in its database: the relay starts, serves nothing, and says so.
      return List.of();
    }
    if (!list.isArray()) {
      throw ConfigException.at("model_list", "must be a list of models");
    }
    List<DeploymentConfig> result = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "model_list[" + i + "]";
      JsonNode entry = list.get(i);
      if (!entry.isObject()) {
        throw ConfigException.at(path, "must be a mapping with model_name and litellm_params");
      }
      String alias = requiredText(entry, "model_name", path + ".model_name");
      JsonNode params = entry.path("litellm_params");
      if (!params.isObject()) {
        throw ConfigException.at(path + ".litellm_params", "missing; it holds the provider model and key");
      }
      String paramsPath = path + ".litellm_params";
      // Read as written: os.environ/ in a model name is resolved only once the entry is known to be served.
      String model = params.path("model").isValueNode() ? params.get("model").asText().trim() : "";
      if (model.isEmpty()) {
        throw ConfigException.at(paramsPath + ".model", "missing");
      }
      int slash = model.indexOf('/');
      String prefix = slash < 0 ? "" : model.substring(0, slash);
      Optional<Provider> known = slash < 0 ? RealtimeModels.inferProvider(model) : Provider.byPrefix(prefix);
      JsonNode info = entry.path("model_info");
      String reason;
      if (known.isEmpty()) {
        reason = slash < 0 ? "no provider prefix, and not an OpenAI realtime model"
            : "provider '" + prefix + "' has no realtime API the relay speaks (it speaks "
                + Provider.knownPrefixes() + ")";
      } else {
        reason = RealtimeModels.whyNotServed(known.get(), model.substring(slash + 1),
            optionalText(info, "mode", path + ".model_info.mode"),
            optionalText(info, "base_model", path + ".model_info.base_model")).orElse(null);
      }
      if (reason != null) {
        skipped.add(new SkippedDeployment(path, alias, model, reason));
        continue;
      }
      Provider provider = known.get();
      model = requiredText(params, "model", paramsPath + ".model");
      slash = model.indexOf('/');
      String providerModel = model.substring(slash + 1);
      if (providerModel.isBlank()) {
        throw ConfigException.at(paramsPath + ".model", "no model name after '" + prefix + "/'");
      }
      Optional<String> apiBase = optionalText(params, "api_base", paramsPath + ".api_base").map(b -> validBase(
          b, paramsPath + ".api_base"));
      Optional<VertexSettings> vertex = Optional.empty();
      if (provider == Provider.VERTEX_AI) {
        vertex = Optional.of(new VertexSettings(
            requiredText(params, "vertex_project", paramsPath + ".vertex_project"),
            optionalText(params, "vertex_location", paramsPath + ".vertex_location").orElse("us-central1"),
            optionalText(params, "vertex_credentials", paramsPath + ".vertex_credentials").map(Secret::new)));
      }
      Optional<BedrockSettings> bedrock = provider == Provider.BEDROCK
          ? Optional.of(bedrockSettings(params, paramsPath)) : Optional.empty();
      if (provider == Provider.AZURE && apiBase.isEmpty()) {
        throw ConfigException.at(paramsPath + ".api_base",
            "required for azure/ (e.g. https://<resource>.openai.azure.com)");
      }
      Optional<Secret> key = optionalText(params, "api_key", paramsPath + ".api_key").map(Secret::new);
      if (key.isEmpty() && provider.defaultKeyEnv().isPresent()) {
        String fallback = provider.defaultKeyEnv().get();
        key = Optional.ofNullable(env.apply(fallback)).filter(v -> !v.isBlank()).map(Secret::new);
        if (key.isEmpty()) {
          throw ConfigException.at(paramsPath + ".api_key",
              "missing, and environment variable " + fallback + " is not set");
        }
      }
      double weight = params.has("weight") ? number(params.get("weight"), paramsPath + ".weight") : 1.0;
      if (weight <= 0) {
        throw ConfigException.at(paramsPath + ".weight", "must be > 0");
      }
      String id = optionalText(entry.path("model_info"), "id", path + ".model_info.id").orElse(alias + "#" + i);
      if (!ids.add(id)) {
        throw ConfigException.at(path + ".model_info.id", "duplicate deployment id '" + id + "'");
      }
      int warm = params.hasNonNull("warm_connections")
          ? (int) nonNegative(params.get("warm_connections"), paramsPath + ".warm_connections") : 0;
      if (warm > MAX_WARM_CONNECTIONS) {
        throw ConfigException.at(paramsPath + ".warm_connections", "at most " + MAX_WARM_CONNECTIONS
            + " per relay verticle");
      }
      if (warm > 0 && provider.translated()) {
        throw ConfigException.at(paramsPath + ".warm_connections", "only for openai/, azure/ and xai/ deployments "
            + "(relayed as bytes); " + provider.prefix() + "/ connects through its own client");
      }
      double maxAge = params.hasNonNull("warm_connection_max_age_seconds")
          ? number(params.get("warm_connection_max_age_seconds"), paramsPath + ".warm_connection_max_age_seconds")
          : DEFAULT_WARM_MAX_AGE_SECONDS;
      if (maxAge <= 0) {
        throw ConfigException.at(paramsPath + ".warm_connection_max_age_seconds", "must be > 0");
      }
      long warmMaxAge = (long) (maxAge * 1000);
      result.add(new DeploymentConfig(id, alias, provider, providerModel, key, apiBase,
          optionalText(params, "api_version", paramsPath + ".api_version"),
          optionalText(params, "organization", paramsPath + ".organization"), weight,
          PriceConfig.prices(entry.path("model_info"), providerModel, path + ".model_info"), vertex, bedrock, warm,
          warmMaxAge));
    }
    return List.copyOf(result);
  }

  /** LiteLLM's AWS parameter names; keys and tokens may be {@code os.environ/...} references like any secret. */
  private BedrockSettings bedrockSettings(JsonNode params, String path) {
    Optional<String> region = optionalText(params, "aws_region_name", path + ".aws_region_name")
        .or(() -> Optional.ofNullable(env.apply("AWS_REGION")).filter(v -> !v.isBlank()))
        .or(() -> Optional.ofNullable(env.apply("AWS_DEFAULT_REGION")).filter(v -> !v.isBlank()));
    if (region.isEmpty()) {
      throw ConfigException.at(path + ".aws_region_name",
          "missing, and neither AWS_REGION nor AWS_DEFAULT_REGION is set (Nova Sonic is regional)");
    }
    Optional<Secret> keyId = optionalText(params, "aws_access_key_id", path + ".aws_access_key_id").map(Secret::new);
    Optional<Secret> secret = optionalText(params, "aws_secret_access_key", path + ".aws_secret_access_key")
        .map(Secret::new);
    if (keyId.isPresent() != secret.isPresent()) {
      throw ConfigException.at(path + (keyId.isPresent() ? ".aws_secret_access_key" : ".aws_access_key_id"),
          "aws_access_key_id and aws_secret_access_key go together");
    }
    Optional<String> endpoint = optionalText(params, "aws_bedrock_runtime_endpoint",
        path + ".aws_bedrock_runtime_endpoint").map(b -> validBase(b, path + ".aws_bedrock_runtime_endpoint"));
    double renewal = params.has("stream_renewal_seconds")
        ? number(params.get("stream_renewal_seconds"), path + ".stream_renewal_seconds")
        : BedrockSettings.DEFAULT_STREAM_RENEWAL.toSeconds();
    if (renewal < 0) {
      throw ConfigException.at(path + ".stream_renewal_seconds", "must be >= 0");
    }
    return new BedrockSettings(region.get(), keyId, secret,
        optionalText(params, "aws_session_token", path + ".aws_session_token").map(Secret::new),
        optionalText(params, "aws_role_name", path + ".aws_role_name"),
        optionalText(params, "aws_session_name", path + ".aws_session_name"),
        optionalText(params, "aws_profile_name", path + ".aws_profile_name"), endpoint,
        java.time.Duration.ofMillis((long) (renewal * 1000)));
  }

  private static String validBase(String base, String path) {
    String lower = base.toLowerCase();
    if (!(lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("ws://")
        || lower.startsWith("wss://"))) {
      throw ConfigException.at(path, "must start with https://, wss://, http:// or ws://");
    }
    return base;
  }

  private List<VirtualKeyConfig> virtualKeys(JsonNode list, Set<String> guardrailNames,
      Map<String, String> unsupported) {
    if (list.isMissingNode() || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw ConfigException.at("general_settings.virtual_keys", "must be a list");
    }
    List<VirtualKeyConfig> result = new ArrayList<>();
    Set<String> aliases = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "general_settings.virtual_keys[" + i + "]";
      VirtualKeyConfig key = virtualKey(list.get(i), path, guardrailNames, unsupported);
      if (!aliases.add(key.alias())) {
        throw ConfigException.at(path + ".key_alias", "duplicate key_alias '" + key.alias() + "'");
      }
      result.add(key);
    }
    return List.copyOf(result);
  }

  /**
   * One virtual key in LiteLLM's field names ({@code key_alias}, {@code key} or {@code key_sha256}, {@code models},
   * {@code max_parallel_requests}, {@code rpm_limit}, {@code max_budget}, {@code budget_duration}, {@code expires},
   * {@code team_id}, {@code metadata}, {@code guardrails}), validated as in {@code config.yaml}: shared by the config
   * and the management API, so a key means the same wherever it was made.
   *
   * @param path where the entry is, for error messages
   * @param guardrailNames the guardrails that exist
   * @param unsupported guardrails of a type the relay skips (a key naming one is refused)
   */
  public VirtualKeyConfig virtualKey(JsonNode entry, String path, Set<String> guardrailNames,
      Map<String, String> unsupported) {
    String alias = requiredText(entry, "key_alias", path + ".key_alias");
    if (alias.equals("master")) {
      throw ConfigException.at(path + ".key_alias", "'master' is reserved for the master key");
    }
    if (alias.startsWith("team:")) {
      // Teams' shared counters are kept under team:<id>, beside the keys'.
      throw ConfigException.at(path + ".key_alias", "may not start with 'team:'");
    }
    if (alias.chars().anyMatch(Character::isISOControl) || alias.length() > 200) {
      throw ConfigException.at(path + ".key_alias", "must be printable, at most 200 characters");
    }
    byte[] digest;
    if (entry.has("key_sha256") == entry.has("key")) {
      throw ConfigException.at(path, "set exactly one of key_sha256 (hex SHA-256 of the key) or key");
    } else if (entry.has("key_sha256")) {
      String hex = requiredText(entry, "key_sha256", path + ".key_sha256");
      try {
        digest = HexFormat.of().parseHex(hex.toLowerCase());
      } catch (IllegalArgumentException e) {
        digest = new byte[0];
      }
      if (digest.length != 32) {
        throw ConfigException.at(path + ".key_sha256", "must be 64 hex characters (SHA-256)");
      }
    } else {
      digest = KeyDigest.sha256(requiredText(entry, "key", path + ".key"));
    }
    Set<String> models = new LinkedHashSet<>();
    JsonNode modelsNode = entry.path("models");
    if (!modelsNode.isMissingNode() && !modelsNode.isNull()) {
      if (!modelsNode.isArray()) {
        throw ConfigException.at(path + ".models", "must be a list of model_name aliases");
      }
      modelsNode.forEach(m -> models.add(m.asText()));
    }
    KeyQuota quota = quota(entry, path);
    Optional<Instant> expires = optionalText(entry, "expires", path + ".expires").map(s -> {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        throw ConfigException.at(path + ".expires", "must be an ISO-8601 instant like 2027-01-01T00:00:00Z");
      }
    });
    Map<String, String> metadata = new LinkedHashMap<>();
    JsonNode meta = entry.path("metadata");
    if (meta.isObject()) {
      meta.fields().forEachRemaining(f -> metadata.put(f.getKey(), f.getValue().asText()));
    }
    // LiteLLM keeps a key's guardrails in metadata.guardrails; a top-level list is accepted too.
    JsonNode guardrailList = entry.has("guardrails") ? entry.get("guardrails") : entry.path("metadata").path("guardrails");
    String guardrailPath = path + (entry.has("guardrails") ? ".guardrails" : ".metadata.guardrails");
    metadata.remove("guardrails");
    return new VirtualKeyConfig(alias, digest, Set.copyOf(models), quota, expires,
        optionalText(entry, "team_id", path + ".team_id"), Map.copyOf(metadata),
        guardrailNames(guardrailList, guardrailPath, guardrailNames, unsupported));
  }

  /** Limits in LiteLLM's names, as keys and teams take them; {@code path} names the entry in errors. */
  public KeyQuota quota(JsonNode entry, String path) {
    Optional<Integer> parallel = positiveInt(entry, "max_parallel_requests", path);
    Optional<Integer> rpm = positiveInt(entry, "rpm_limit", path);
    Optional<BigDecimal> budget = Optional.empty();
    if (entry.hasNonNull("max_budget")) {
      JsonNode n = entry.get("max_budget");
      if (!n.isNumber() || n.decimalValue().signum() < 0) {
        throw ConfigException.at(path + ".max_budget", "must be a number of US dollars >= 0");
      }
      budget = Optional.of(n.decimalValue());
    }
    Optional<Duration> duration = optionalText(entry, "budget_duration", path + ".budget_duration").map(t -> {
      try {
        return KeyQuota.parseDuration(t);
      } catch (IllegalArgumentException e) {
        throw ConfigException.at(path + ".budget_duration", e.getMessage());
      }
    });
    if (duration.isPresent() && budget.isEmpty()) {
      throw ConfigException.at(path + ".budget_duration", "has no effect without max_budget");
    }
    return new KeyQuota(parallel, rpm, budget, duration);
  }

  private static Optional<Integer> positiveInt(JsonNode entry, String field, String path) {
    if (!entry.hasNonNull(field)) {
      return Optional.empty();
    }
    JsonNode n = entry.get(field);
    if (!n.canConvertToInt() || n.asInt() < 1 || !n.isIntegralNumber()) {
      throw ConfigException.at(path + "." + field, "must be a positive whole number");
    }
    return Optional.of(n.asInt());
  }

  private RouterSettings routerSettings(JsonNode node, List<String> warnings) {
    RouterSettings d = RouterSettings.defaults();
    RoutingStrategy strategy = d.strategy();
    if (node.hasNonNull("routing_strategy")) {
      String name = node.get("routing_strategy").asText();
      Optional<RoutingStrategy> own = RoutingStrategy.byName(name);
      if (own.isPresent()) {
        strategy = own.get();
      } else if (RoutingStrategy.LITELLM_FALLBACKS.contains(name)) {
        // Usage and cost figures belong to a LiteLLM proxy's Redis and its chat traffic; for realtime sessions the
        // nearest thing the relay measures is how many are live.
        strategy = RoutingStrategy.LEAST_BUSY;
        warnings.add("router_settings.routing_strategy: '" + name + "' is not implemented by the relay; using "
            + "least-busy (the deployment with the fewest live sessions on this node)");
      } else {
        throw ConfigException.at("router_settings.routing_strategy", "unsupported '" + name
            + "' (supported: simple-shuffle, least-busy, latency-based-routing; accepted as least-busy: "
            + String.join(", ", RoutingStrategy.LITELLM_FALLBACKS) + ")");
      }
    }
    int allowedFails = node.hasNonNull("allowed_fails")
        ? (int) nonNegative(node.get("allowed_fails"), "router_settings.allowed_fails") : d.allowedFails();
    double cooldown = node.hasNonNull("cooldown_time")
        ? nonNegative(node.get("cooldown_time"), "router_settings.cooldown_time") : d.cooldownSeconds();
    return new RouterSettings(strategy, allowedFails, cooldown);
  }

  private RelaySettings relaySettings(JsonNode node) {
    RelaySettings d = RelaySettings.defaults();
    int maxMessage = intSetting(node, "max_message_bytes", d.maxMessageBytes());
    if (maxMessage < 65536) {
      throw ConfigException.at("relay_settings.max_message_bytes", "must be at least 65536");
    }
    int ping = intSetting(node, "ping_interval_seconds", d.pingIntervalSeconds());
    boolean deflate = node.hasNonNull("per_message_deflate")
        ? bool(node.get("per_message_deflate"), "relay_settings.per_message_deflate") : d.perMessageDeflate();
    double connect = node.hasNonNull("upstream_connect_timeout_seconds")
        ? nonNegative(node.get("upstream_connect_timeout_seconds"), "relay_settings.upstream_connect_timeout_seconds")
        : d.upstreamConnectTimeoutSeconds();
    int queue = intSetting(node, "write_queue_max_bytes", d.writeQueueMaxBytes());
    int writeStall = intSetting(node, "write_stall_timeout_seconds", d.writeStallTimeoutSeconds());
    boolean logAudio = node.hasNonNull("log_audio")
        ? bool(node.get("log_audio"), "relay_settings.log_audio") : d.logAudio();
    int eventBuffer = intSetting(node, "event_buffer_max_events", d.eventBufferMaxEvents());
    int eventBufferBytes = intSetting(node, "event_buffer_max_bytes", d.eventBufferMaxBytes());
    int maxLoggedEvent = intSetting(node, "max_logged_event_bytes", d.maxLoggedEventBytes());
    if (maxLoggedEvent < MIN_LOGGED_EVENT_BYTES) {
      throw ConfigException.at("relay_settings.max_logged_event_bytes", "must be at least " + MIN_LOGGED_EVENT_BYTES);
    }
    int drain = intSetting(node, "drain_seconds", d.drainSeconds());
    int warmUp = intSetting(node, "warm_up_sessions", d.warmUpSessions());
    int handshake = intSetting(node, "handshake_timeout_seconds", d.handshakeTimeoutSeconds());
    if (handshake < 1) {
      throw ConfigException.at("relay_settings.handshake_timeout_seconds", "must be at least 1");
    }
    int idle = intSetting(node, "idle_timeout_seconds", d.idleTimeoutSeconds());
    int brakeFailures = intSetting(node, "auth_failure_limit", d.authBrake().maxFailures());
    int brakeWindow = intSetting(node, "auth_failure_window_seconds", d.authBrake().windowSeconds());
    List<String> proxies = trustedProxies(node.path("trusted_proxies"));
    boolean voiceLatency = node.hasNonNull("voice_latency")
        ? bool(node.get("voice_latency"), "relay_settings.voice_latency") : d.voiceLatency();
    return new RelaySettings(maxMessage, ping, deflate, connect, queue, writeStall, logAudio, eventBuffer, eventBufferBytes,
        maxLoggedEvent, drain, warmUp,
        handshake, idle, new AuthBrakeSettings(brakeFailures, brakeWindow), proxies, voiceLatency);
  }

  /** A whole, non-negative {@code relay_settings} entry, or {@code fallback} when it is absent. */
  private static int intSetting(JsonNode node, String name, int fallback) {
    return node.hasNonNull(name) ? (int) nonNegative(node.get(name), "relay_settings." + name) : fallback;
  }

  /** IPs or CIDR ranges, validated here so a typo is a start-up error rather than a proxy never trusted. */
  private static List<String> trustedProxies(JsonNode node) {
    String path = "relay_settings.trusted_proxies";
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw ConfigException.at(path, "must be a list of IP addresses or CIDR ranges");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String value = node.get(i).asText("");
      if (!AddressRange.valid(value)) {
        throw ConfigException.at(path + "[" + i + "]", "'" + value + "' is not an IP address or CIDR range");
      }
      out.add(value);
    }
    return List.copyOf(out);
  }

  private static LoggedEventTypes loggedEventTypes(JsonNode node) {
    String path = "litellm_settings.logged_real_time_event_types";
    if (node.isMissingNode() || node.isNull()) {
      return LoggedEventTypes.DEFAULT;
    }
    if (node.isTextual() && node.asText().equals("*")) {
      return new LoggedEventTypes(true, Set.of());
    }
    if (!node.isArray()) {
      throw ConfigException.at(path, "must be \"*\" or a list of event types");
    }
    Set<String> types = new LinkedHashSet<>();
    for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
      JsonNode t = it.next();
      if (!t.isTextual()) {
        throw ConfigException.at(path, "entries must be event type strings");
      }
      if (t.asText().equals("*")) {
        return new LoggedEventTypes(true, Set.of());
      }
      types.add(t.asText());
    }
    return new LoggedEventTypes(false, Set.copyOf(types));
  }

  private static JsonNode objectOrEmpty(JsonNode root, String field) {
    JsonNode node = root.path(field);
    if (node.isMissingNode() || node.isNull()) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    if (!node.isObject()) {
      throw ConfigException.at(field, "must be a mapping");
    }
    return node;
  }

  private String requiredText(JsonNode node, String field, String path) {
    return optionalText(node, field, path).orElseThrow(() -> ConfigException.at(path, "missing"));
  }

  /** Reads a scalar, resolving LiteLLM's {@code os.environ/NAME} indirection. */
  private Optional<String> optionalText(JsonNode node, String field, String path) {
    JsonNode value = node.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isValueNode()) {
      throw ConfigException.at(path, "must be a single value");
    }
    String text = value.asText().trim();
    if (text.startsWith(ENV_PREFIX)) {
      String name = text.substring(ENV_PREFIX.length());
      String resolved = env.apply(name);
      if (resolved == null || resolved.isBlank()) {
        throw ConfigException.at(path, "environment variable " + name + " is not set");
      }
      text = resolved.trim();
    }
    if (text.isEmpty()) {
      throw ConfigException.at(path, "is empty");
    }
    return Optional.of(text);
  }

  private static double number(JsonNode node, String path) {
    if (!node.isNumber()) {
      throw ConfigException.at(path, "must be a number");
    }
    return node.asDouble();
  }

  private static double nonNegative(JsonNode node, String path) {
    double v = number(node, path);
    if (v < 0) {
      throw ConfigException.at(path, "must be >= 0");
    }
    return v;
  }

  private static boolean bool(JsonNode node, String path) {
    if (!node.isBoolean()) {
      throw ConfigException.at(path, "must be true or false");
    }
    return node.asBoolean();
  }
}
