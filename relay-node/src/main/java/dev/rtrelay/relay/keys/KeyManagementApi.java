package dev.rtrelay.relay.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rtrelay.relay.auth.ClientCredentials;
import dev.rtrelay.relay.auth.KeyAuthenticator;
import dev.rtrelay.relay.auth.Principal;
import dev.rtrelay.relay.config.ConfigException;
import dev.rtrelay.relay.config.ConfigLoader;
import dev.rtrelay.relay.config.KeyDigest;
import dev.rtrelay.relay.config.KeyQuota;
import dev.rtrelay.relay.config.VirtualKeyConfig;
import dev.rtrelay.relay.guardrails.GuardrailRegistry;
import dev.rtrelay.relay.http.RelayException;
import dev.rtrelay.relay.limits.KeyLimits;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LiteLLM's key and team management endpoints, the subset that applies to a realtime relay, on the management
 * listener (never the clients' port): {@code /key/generate|update|delete|info|list}, {@code /team/new|update|delete|
 * info|list} and {@code /spend/keys}. Requests and responses use LiteLLM's field names, so its scripts and admin
 * habits carry over; a key is validated exactly as a {@code virtual_keys} entry of the config.
 *
 * <p>Only the master key (or a key whose metadata says {@code role: admin}) may call them. A generated key is shown
 * once, in the answer to {@code /key/generate}; afterwards it is named by its token (hex SHA-256) or alias. Keys and
 * teams of {@code config.yaml} are listed but not changed here: the config wins on conflict.
 */
public final class KeyManagementApi {
  private static final Logger LOG = LoggerFactory.getLogger(KeyManagementApi.class);
  private static final int MAX_BODY_BYTES = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> KEY_FIELDS = Set.of("key", "key_sha256", "key_alias", "models", "max_parallel_requests",
      "rpm_limit", "max_budget", "budget_duration", "expires", "duration", "team_id", "metadata", "guardrails");
  private static final Set<String> TEAM_FIELDS = Set.of("team_id", "team_alias", "guardrails", "metadata",
      "max_parallel_requests", "rpm_limit", "max_budget", "budget_duration");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyAuthenticator authenticator;
  private final KeyStore store;
  private final RuntimeKeys keys;
  /** Changes made through this node run one after another: each validates against the state the last one left. */
  private Future<?> lastChange = Future.succeededFuture();
  private final GuardrailRegistry guardrails;
  private final KeyLimits limits;
  private final Clock clock;
  private final ConfigLoader loader = new ConfigLoader(name -> null);

  public KeyManagementApi(KeyAuthenticator authenticator, KeyStore store, GuardrailRegistry guardrails,
      KeyLimits limits, Clock clock) {
    this.authenticator = authenticator;
    this.store = store;
    this.keys = store.keys();
    this.guardrails = guardrails;
    this.limits = limits;
    this.clock = clock;
  }

  /** Whether the path is one of this API's. */
  public static boolean serves(String path) {
    return path.startsWith("/key/") || path.startsWith("/team/") || path.startsWith("/spend/");
  }

  public void handle(HttpServerRequest request) {
    Principal caller;
    try {
      caller = authenticator.authenticate(ClientCredentials.from(request.headers()).key());
      if (!caller.id().equals(Principal.master().id()) && !"admin".equals(caller.metadata().get("role"))) {
        throw new RelayException(403, "permission_error", "Key management needs the master key or a key with "
            + "metadata role: admin");
      }
    } catch (RelayException e) {
      respond(request, e);
      return;
    }
    String route = request.method().name() + " " + request.path();
    body(request).compose(body -> switch (route) {
      case "POST /key/generate" -> serially(() -> generate(body));
      case "POST /key/update" -> serially(() -> update(body));
      case "POST /key/delete" -> serially(() -> delete(body));
      case "GET /key/info" -> keyInfo(request.getParam("key"));
      case "GET /key/list" -> Future.succeededFuture(list("true".equals(request.getParam("return_full_object"))));
      case "POST /team/new" -> serially(() -> newTeam(body));
      case "POST /team/update" -> serially(() -> updateTeam(body));
      case "POST /team/delete" -> serially(() -> deleteTeam(body));
      case "GET /team/info" -> teamInfo(request.getParam("team_id"));
      case "GET /team/list" -> Future.succeededFuture(teamList());
      case "GET /spend/keys" -> spend();
      case "GET /spend/teams" -> teamSpend();
      default -> Future.failedFuture(new RelayException(404, "not_found_error", "No such management endpoint: "
          + request.method().name() + " " + (serves(request.path()) ? request.path() : "")));
    }).onComplete(done -> {
      if (done.succeeded()) {
        if (!request.method().equals(HttpMethod.GET)) {
          LOG.info("key management: {} by '{}'", route, caller.id());
        }
        request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(done.result().toString());
      } else {
        respond(request, done.cause() instanceof RelayException e ? e : new RelayException(500, "internal_error",
            "The request failed: " + done.cause().getClass().getSimpleName()));
      }
    });
  }

  /** Runs a change once the previous one is done (in force here), whatever its outcome. */
  private Future<JsonNode> serially(java.util.function.Supplier<Future<JsonNode>> change) {
    Future<JsonNode> next = lastChange.transform(previous -> {
      try {
        return change.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    lastChange = next;
    return next;
  }

  /** Writes the changes through the store, in order; completes once all are in force on this node. */
  private Future<Void> write(List<KeyChange> changes) {
    Future<Void> written = Future.succeededFuture();
    for (KeyChange change : changes) {
      written = written.compose(v -> store.write(change));
    }
    return written;
  }

  // ---- keys

  private Future<JsonNode> generate(ObjectNode body) {
    onlyFields(body, KEY_FIELDS);
    ObjectNode definition = body.deepCopy();
    if (body.has("key") && body.has("key_sha256")) {
      throw badRequest("key", "give key or key_sha256, not both");
    }
    // key_sha256 takes a key by its digest, e.g. a LiteLLM proxy's "token": clients keep the keys they have.
    Optional<String> key = body.has("key_sha256") ? Optional.empty() : Optional.of(body.has("key")
        ? text(body, "key") : "sk-" + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32)));
    if (key.isPresent() && (!key.get().startsWith("sk-") || key.get().length() < 20)) {
      throw badRequest("key", "a key of your own must start with sk- and be at least 20 characters");
    }
    String token = key.map(k -> HexFormat.of().formatHex(KeyDigest.sha256(k)))
        .orElseGet(() -> text(body, "key_sha256").toLowerCase());
    if (!token.matches("[0-9a-f]{64}")) {
      throw badRequest("key_sha256", "must be 64 hex characters (SHA-256)");
    }
    byte[] digest = HexFormat.of().parseHex(token);
    if (authenticator.configured(digest) || keys.byToken(token).isPresent()) {
      throw badRequest("key", "this key already exists");
    }
    definition.remove("key");
    definition.put("key_sha256", token);
    if (!definition.hasNonNull("key_alias")) {
      definition.put("key_alias", "key-" + token.substring(0, 12));
    }
    Instant now = clock.instant();
    expiry(definition, now);
    VirtualKeyConfig config = validate(definition);
    aliasFree(config.alias());
    StoredKey stored = new StoredKey(token, definition, config, now, now);
    return write(List.of(new KeyChange.PutKey(stored))).map(v -> {
      if (!keys.byToken(token).map(k -> k.config().alias().equals(config.alias())).orElse(false)) {
        // Another node made a key with this alias at the same moment, and its change came first.
        throw new RelayException(409, "invalid_request_error", "key_alias: '" + config.alias()
            + "' was just taken by another key");
      }
      ObjectNode answer = describe(stored);
      key.ifPresent(k -> answer.put("key", k));
      return answer;
    });
  }

  private Future<JsonNode> update(ObjectNode body) {
    onlyFields(body, KEY_FIELDS);
    StoredKey before = runtimeKey(text(body, "key"));
    if (body.hasNonNull("key_alias") && !text(body, "key_alias").equals(before.config().alias())) {
      throw badRequest("key_alias", "cannot be changed: the key's limits and spend are kept under it; generate a new "
          + "key instead");
    }
    ObjectNode definition = before.definition().deepCopy();
    Iterator<Map.Entry<String, JsonNode>> fields = body.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (f.getKey().equals("key_sha256")) {
        throw badRequest("key_sha256", "a key's value cannot be changed: generate a new key");
      }
      if (!f.getKey().equals("key")) {
        definition.set(f.getKey(), f.getValue());
      }
    }
    Instant now = clock.instant();
    expiry(definition, now);
    StoredKey after = new StoredKey(before.token(), definition, validate(definition), before.createdAt(), now);
    return write(List.of(new KeyChange.PutKey(after))).map(v -> describe(after));
  }

  private Future<JsonNode> delete(ObjectNode body) {
    onlyFields(body, Set.of("keys", "key_aliases"));
    List<StoredKey> found = new ArrayList<>();
    for (JsonNode k : list(body, "keys")) {
      found.add(runtimeKey(k.asText()));
    }
    for (JsonNode a : list(body, "key_aliases")) {
      found.add(keys.byAlias(a.asText()).orElseThrow(() -> notFound(configAlias(a.asText())
          ? "Key '" + a.asText() + "' is defined in config.yaml: remove it there"
          : "No key with alias '" + a.asText() + "'")));
    }
    if (found.isEmpty()) {
      throw badRequest("keys", "name at least one key (keys: [...] or key_aliases: [...])");
    }
    ArrayNode deleted = NODES.arrayNode();
    found.forEach(k -> deleted.add(k.token()));
    return write(found.stream().<KeyChange>map(k -> new KeyChange.RemoveKey(k.token())).toList())
        .map(v -> NODES.objectNode().set("deleted_keys", deleted));
  }

  private Future<JsonNode> keyInfo(String key) {
    if (key == null || key.isEmpty()) {
      throw badRequest("key", "missing: /key/info?key=<key, token or alias>");
    }
    Optional<StoredKey> runtime = lookup(key);
    if (runtime.isPresent()) {
      return Future.succeededFuture(NODES.objectNode().put("key", runtime.get().token())
          .set("info", describe(runtime.get())));
    }
    VirtualKeyConfig config = configKey(key).orElseThrow(() -> notFound("No such key"));
    return Future.succeededFuture(NODES.objectNode().put("key", HexFormat.of().formatHex(config.sha256()))
        .set("info", describe(config, "config")));
  }

  private JsonNode list(boolean full) {
    ArrayNode listed = NODES.arrayNode();
    for (VirtualKeyConfig k : authenticator.configKeys()) {
      if (full) {
        listed.add(describe(k, "config"));
      } else {
        listed.add(HexFormat.of().formatHex(k.sha256()));
      }
    }
    for (StoredKey k : keys.keys()) {
      if (full) {
        listed.add(describe(k));
      } else {
        listed.add(k.token());
      }
    }
    return NODES.objectNode().<ObjectNode>set("keys", listed).put("total_count", listed.size())
        .put("current_page", 1).put("total_pages", 1);
  }

  // ---- teams

  private Future<JsonNode> newTeam(ObjectNode body) {
    onlyFields(body, TEAM_FIELDS);
    String teamId = body.hasNonNull("team_id") ? text(body, "team_id") : "team-" + HexFormat.of()
        .formatHex(randomBytes(6));
    if (authenticator.configTeam(teamId) || keys.team(teamId).isPresent()) {
      throw badRequest("team_id", "team '" + teamId + "' already exists");
    }
    RuntimeTeam team = team(teamId, body, clock.instant());
    return write(List.of(new KeyChange.PutTeam(team))).map(v -> describe(team));
  }

  private Future<JsonNode> updateTeam(ObjectNode body) {
    onlyFields(body, TEAM_FIELDS);
    RuntimeTeam before = runtimeTeam(text(body, "team_id"));
    ObjectNode merged = describe(before);
    body.fields().forEachRemaining(f -> merged.set(f.getKey(), f.getValue()));
    RuntimeTeam after = team(before.teamId(), merged, before.createdAt());
    return write(List.of(new KeyChange.PutTeam(after))).map(v -> describe(after));
  }

  private Future<JsonNode> deleteTeam(ObjectNode body) {
    onlyFields(body, Set.of("team_ids"));
    List<RuntimeTeam> found = new ArrayList<>();
    for (JsonNode id : list(body, "team_ids")) {
      RuntimeTeam team = runtimeTeam(id.asText());
      long members = keys.keys().stream().filter(k -> k.config().teamId().equals(Optional.of(team.teamId())))
          .count();
      if (members > 0) {
        throw new RelayException(409, "invalid_request_error", "Team '" + team.teamId() + "' still has " + members
            + " key(s): delete them or move them to another team first");
      }
      found.add(team);
    }
    if (found.isEmpty()) {
      throw badRequest("team_ids", "name at least one team");
    }
    ArrayNode deleted = NODES.arrayNode();
    found.forEach(t -> deleted.add(t.teamId()));
    return write(found.stream().<KeyChange>map(t -> new KeyChange.RemoveTeam(t.teamId())).toList())
        .map(v -> NODES.objectNode().set("deleted_teams", deleted));
  }

  private Future<JsonNode> teamInfo(String teamId) {
    if (teamId == null || teamId.isEmpty()) {
      throw badRequest("team_id", "missing: /team/info?team_id=<id>");
    }
    ObjectNode info;
    if (authenticator.configTeam(teamId)) {
      info = NODES.objectNode().put("team_id", teamId).put("source", "config");
      info.set("guardrails", strings(authenticator.configTeams().get(teamId)));
      quota(info, authenticator.configTeamQuota(teamId));
    } else {
      info = describe(runtimeTeam(teamId));
    }
    ArrayNode members = NODES.arrayNode();
    authenticator.configKeys().stream().filter(k -> k.teamId().equals(Optional.of(teamId)))
        .forEach(k -> members.add(describe(k, "config")));
    keys.keys().stream().filter(k -> k.config().teamId().equals(Optional.of(teamId)))
        .forEach(k -> members.add(describe(k)));
    return Future.succeededFuture(NODES.objectNode().put("team_id", teamId).<ObjectNode>set("team_info", info)
        .set("keys", members));
  }

  private JsonNode teamList() {
    ArrayNode listed = NODES.arrayNode();
    authenticator.configTeams().forEach((id, rails) -> {
      ObjectNode team = NODES.objectNode().put("team_id", id).put("source", "config");
      team.set("guardrails", strings(rails));
      quota(team, authenticator.configTeamQuota(id));
      listed.add(team);
    });
    keys.teams().forEach(t -> listed.add(describe(t)));
    return listed;
  }

  private RuntimeTeam team(String teamId, ObjectNode fields, Instant created) {
    List<String> rails = new ArrayList<>();
    for (JsonNode g : list(fields, "guardrails")) {
      if (!guardrails.contains(g.asText())) {
        throw badRequest("guardrails", "unknown guardrail '" + g.asText() + "'");
      }
      rails.add(g.asText());
    }
    KeyQuota quota;
    try {
      quota = loader.quota(fields, "request");
    } catch (ConfigException e) {
      throw new RelayException(400, "invalid_request_error", e.getMessage());
    }
    return new RuntimeTeam(teamId, fields.hasNonNull("team_alias") ? Optional.of(text(fields, "team_alias"))
        : Optional.empty(), List.copyOf(rails), quota, metadata(fields), created);
  }

  // ---- spend

  private Future<JsonNode> spend() {
    List<VirtualKeyConfig> all = new ArrayList<>(authenticator.configKeys());
    keys.keys().forEach(k -> all.add(k.config()));
    List<Future<ObjectNode>> rows = all.stream().map(k -> {
      ObjectNode row = NODES.objectNode().put("token", HexFormat.of().formatHex(k.sha256()))
          .put("key_alias", k.alias());
      return usage(row, k.alias(), k.quota());
    }).toList();
    return Future.all(rows).map(done -> {
      ArrayNode out = NODES.arrayNode();
      rows.forEach(r -> out.add(r.result()));
      return out;
    });
  }

  /** Spend of every team with limits, over all its keys, in its current budget period. */
  private Future<JsonNode> teamSpend() {
    Map<String, KeyQuota> teams = new LinkedHashMap<>();
    authenticator.configTeams().keySet().forEach(id -> teams.put(id, authenticator.configTeamQuota(id)));
    keys.teams().forEach(t -> teams.putIfAbsent(t.teamId(), t.quota()));
    List<Future<ObjectNode>> rows = new ArrayList<>();
    teams.forEach((id, quota) -> {
      rows.add(usage(NODES.objectNode().put("team_id", id), KeyLimits.teamEntry(id), quota));
    });
    return Future.all(rows).map(done -> {
      ArrayNode out = NODES.arrayNode();
      rows.forEach(r -> out.add(r.result()));
      return out;
    });
  }

  /**
   * Fills a spend row: budget, spend in the current period, when it resets, live sessions. Without limits nothing is
   * counted in the cluster (the spend is in the session records only): spend is null.
   */
  private Future<ObjectNode> usage(ObjectNode row, String counterId, KeyQuota quota) {
    quota.maxBudget().ifPresentOrElse(b -> row.put("max_budget", b), () -> row.putNull("max_budget"));
    if (quota.unlimited()) {
      return Future.succeededFuture(row.putNull("spend"));
    }
    return limits.usage(counterId, quota).map(usage -> {
      row.put("spend", usage.map(u -> u.spend()).orElse(java.math.BigDecimal.ZERO));
      usage.flatMap(KeyLimits.KeyUsage::periodEnd).ifPresent(end -> row.put("budget_reset_at", end.toString()));
      row.put("live_sessions", usage.map(KeyLimits.KeyUsage::liveSessions).orElse(0));
      return row;
    });
  }

  // ---- helpers

  /** Validates a key definition exactly as a config entry; a bad field is a 400 naming it. */
  private VirtualKeyConfig validate(ObjectNode definition) {
    Optional<String> team = definition.hasNonNull("team_id") ? Optional.of(text(definition, "team_id"))
        : Optional.empty();
    if (team.isPresent() && !authenticator.configTeam(team.get()) && keys.team(team.get()).isEmpty()) {
      throw badRequest("team_id", "team '" + team.get() + "' does not exist: create it with /team/new");
    }
    try {
      return loader.virtualKey(definition, "request", guardrailNames(), Map.of());
    } catch (ConfigException e) {
      throw new RelayException(400, "invalid_request_error", e.getMessage());
    }
  }

  private Set<String> guardrailNames() {
    return guardrails.names();
  }

  /** LiteLLM's {@code duration} ("30d") becomes an {@code expires} instant from now. */
  private static void expiry(ObjectNode definition, Instant now) {
    if (definition.hasNonNull("duration")) {
      try {
        definition.put("expires", now.plus(KeyQuota.parseDuration(text(definition, "duration"))).toString());
      } catch (IllegalArgumentException e) {
        throw badRequest("duration", e.getMessage());
      }
      definition.remove("duration");
    }
  }

  private void aliasFree(String alias) {
    if (configAlias(alias) || keys.byAlias(alias).isPresent()) {
      throw badRequest("key_alias", "'" + alias + "' is already used by another key");
    }
  }

  private boolean configAlias(String alias) {
    return authenticator.configKeys().stream().anyMatch(k -> k.alias().equals(alias));
  }

  private Optional<VirtualKeyConfig> configKey(String named) {
    String token = named.startsWith("sk-") ? HexFormat.of().formatHex(KeyDigest.sha256(named)) : named;
    return authenticator.configKeys().stream().filter(k -> HexFormat.of().formatHex(k.sha256()).equals(token)
        || k.alias().equals(named)).findFirst();
  }

  /** A key named by itself ({@code sk-...}), its token or its alias. */
  private Optional<StoredKey> lookup(String named) {
    if (named.startsWith("sk-")) {
      return keys.byDigest(KeyDigest.sha256(named));
    }
    return keys.byToken(named.toLowerCase()).or(() -> keys.byAlias(named));
  }

  private StoredKey runtimeKey(String named) {
    return lookup(named).orElseThrow(() -> configKey(named).isPresent()
        ? new RelayException(400, "invalid_request_error", "This key is defined in config.yaml: change it there")
        : notFound("No such key"));
  }

  private RuntimeTeam runtimeTeam(String teamId) {
    return keys.team(teamId).orElseThrow(() -> authenticator.configTeam(teamId)
        ? new RelayException(400, "invalid_request_error", "Team '" + teamId + "' is defined in config.yaml: "
            + "change it there")
        : notFound("No team '" + teamId + "'"));
  }

  private ObjectNode describe(StoredKey key) {
    ObjectNode info = describe(key.config(), "api");
    info.put("created_at", key.createdAt().toString()).put("updated_at", key.updatedAt().toString());
    return info;
  }

  /** A key in LiteLLM's shape: never the key itself, its token (hex SHA-256) instead. */
  private static ObjectNode describe(VirtualKeyConfig key, String source) {
    ObjectNode info = NODES.objectNode().put("token", HexFormat.of().formatHex(key.sha256()))
        .put("key_alias", key.alias()).put("source", source);
    info.set("models", strings(key.models().stream().sorted().toList()));
    quota(info, key.quota());
    key.expires().ifPresentOrElse(e -> info.put("expires", e.toString()), () -> info.putNull("expires"));
    key.teamId().ifPresentOrElse(t -> info.put("team_id", t), () -> info.putNull("team_id"));
    ObjectNode metadata = info.putObject("metadata");
    key.metadata().forEach(metadata::put);
    info.set("guardrails", strings(key.guardrails()));
    return info;
  }

  /** Limits in LiteLLM's field names (null when not set). */
  static void quota(ObjectNode info, KeyQuota quota) {
    quota.maxParallelSessions().ifPresentOrElse(n -> info.put("max_parallel_requests", n),
        () -> info.putNull("max_parallel_requests"));
    quota.sessionsPerMinute().ifPresentOrElse(n -> info.put("rpm_limit", n), () -> info.putNull("rpm_limit"));
    quota.maxBudget().ifPresentOrElse(b -> info.put("max_budget", b), () -> info.putNull("max_budget"));
    quota.budgetDuration().ifPresentOrElse(d -> info.put("budget_duration", duration(d)),
        () -> info.putNull("budget_duration"));
  }

  /** A period in LiteLLM's form, in the largest whole unit: 30d, 12h, 5m or 90s. */
  static String duration(java.time.Duration d) {
    long s = d.toSeconds();
    return s % 86_400 == 0 ? s / 86_400 + "d" : s % 3_600 == 0 ? s / 3_600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  private static ObjectNode describe(RuntimeTeam team) {
    ObjectNode info = NODES.objectNode().put("team_id", team.teamId()).put("source", "api");
    team.alias().ifPresentOrElse(a -> info.put("team_alias", a), () -> info.putNull("team_alias"));
    quota(info, team.quota());
    info.set("guardrails", strings(team.guardrails()));
    ObjectNode metadata = info.putObject("metadata");
    team.metadata().forEach(metadata::put);
    info.put("created_at", team.createdAt().toString());
    return info;
  }

  private static ArrayNode strings(java.util.Collection<String> values) {
    ArrayNode array = NODES.arrayNode();
    values.forEach(array::add);
    return array;
  }

  private static Map<String, String> metadata(ObjectNode fields) {
    Map<String, String> metadata = new LinkedHashMap<>();
    JsonNode node = fields.path("metadata");
    if (!node.isMissingNode() && !node.isNull()) {
      if (!node.isObject()) {
        throw badRequest("metadata", "must be an object");
      }
      node.fields().forEachRemaining(f -> metadata.put(f.getKey(), f.getValue().asText()));
    }
    return Map.copyOf(metadata);
  }

  private static List<JsonNode> list(ObjectNode body, String field) {
    JsonNode node = body.path(field);
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw badRequest(field, "must be a list");
    }
    List<JsonNode> items = new ArrayList<>();
    node.forEach(items::add);
    return items;
  }

  private static String text(ObjectNode body, String field) {
    JsonNode node = body.path(field);
    if (!node.isTextual() || node.asText().isEmpty()) {
      throw badRequest(field, node.isMissingNode() ? "missing" : "must be a non-empty string");
    }
    return node.asText();
  }

  private static void onlyFields(ObjectNode body, Set<String> allowed) {
    body.fieldNames().forEachRemaining(name -> {
      if (!allowed.contains(name)) {
        throw badRequest(name, "not a field this endpoint takes (it takes: " + String.join(", ",
            allowed.stream().sorted().toList()) + ")");
      }
    });
    // os.environ/ indirection belongs to config.yaml: through the API it would read the relay's environment.
    checkNoEnvironment(body);
  }

  private static void checkNoEnvironment(JsonNode node) {
    if (node.isTextual() && node.asText().startsWith("os.environ/")) {
      throw badRequest("", "os.environ/ references are for config.yaml only");
    }
    node.forEach(KeyManagementApi::checkNoEnvironment);
  }

  private static RelayException badRequest(String field, String message) {
    return new RelayException(400, "invalid_request_error", field.isEmpty() ? message : field + ": " + message);
  }

  private static RelayException notFound(String message) {
    return new RelayException(404, "not_found_error", message);
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** The request's JSON object (empty for GET), at most 64 KiB. */
  private static Future<ObjectNode> body(HttpServerRequest request) {
    if (request.method().equals(HttpMethod.GET)) {
      return Future.succeededFuture(NODES.objectNode());
    }
    io.vertx.core.Promise<ObjectNode> parsed = io.vertx.core.Promise.promise();
    Buffer received = Buffer.buffer();
    request.handler(chunk -> {
      if (parsed.future().isComplete()) {
        return;
      }
      if (received.length() + chunk.length() > MAX_BODY_BYTES) {
        parsed.tryFail(new RelayException(413, "invalid_request_error", "Request body over " + MAX_BODY_BYTES
            + " bytes"));
        return;
      }
      received.appendBuffer(chunk);
    });
    request.endHandler(end -> {
      try {
        JsonNode node = received.length() == 0 ? NODES.objectNode() : JSON.readTree(received.getBytes());
        if (!node.isObject()) {
          parsed.tryFail(new RelayException(400, "invalid_request_error", "The body must be a JSON object"));
        } else {
          parsed.tryComplete((ObjectNode) node);
        }
      } catch (JsonProcessingException e) {
        parsed.tryFail(new RelayException(400, "invalid_request_error", "The body is not valid JSON"));
      } catch (java.io.IOException e) {
        parsed.tryFail(new RelayException(400, "invalid_request_error", "The body could not be read"));
      }
    });
    return parsed.future();
  }

  private static void respond(HttpServerRequest request, RelayException error) {
    ObjectNode body = NODES.objectNode();
    body.putObject("error").put("message", error.getMessage()).put("type", error.type()).put("code", error.status());
    request.response().setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toString());
  }
}
