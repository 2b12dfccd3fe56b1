package dev.rtrelay.relay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.cost.ModelPrices;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad configs stop start-up with one message that names the field; good ones parse into typed settings. */
class ConfigLoaderTest {
  private static final Map<String, String> ENV = Map.of("OPENAI_API_KEY", "sk-env-openai-2c9d", "MASTER", "sk-m-1");

  private static RelayConfig parse(String yaml) {
    return new ConfigLoader(ENV::get).parse(yaml, "config.yaml");
  }

  private static String error(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
  }

  private static final String GENERAL = "general_settings:\n  master_key: os.environ/MASTER\n";

  @Test
  void liteLlmExampleParsesWithEnvIndirection() throws Exception {
    RelayConfig c = parse("""
        model_list:
          - model_name: gpt-4o
            litellm_params:
              model: azure/gpt-4o-realtime-preview
              api_key: os.environ/OPENAI_API_KEY
              api_base: https://sweden.openai.azure.com
              api_version: 2024-10-01-preview
          - model_name: openai-gpt-4o-realtime-audio
            litellm_params:
              model: openai/gpt-4o-realtime-preview-2024-10-01
            model_info:
              mode: realtime
        litellm_settings:
          logged_real_time_event_types: "*"
        router_settings:
          routing_strategy: least-busy
          allowed_fails: 1
          cooldown_time: 30
        """ + GENERAL);
    assertEquals(2, c.deployments().size());
    DeploymentConfig azure = c.deployments().get(0);
    assertEquals(Provider.AZURE, azure.provider());
    assertEquals("gpt-4o-realtime-preview", azure.providerModel());
    assertEquals("sk-env-openai-2c9d", azure.apiKey().orElseThrow().reveal());
    assertEquals("2024-10-01-preview", azure.apiVersion().orElseThrow());
    assertEquals("sk-env-openai-2c9d", c.deployments().get(1).apiKey().orElseThrow().reveal(),
        "openai/ falls back to OPENAI_API_KEY like LiteLLM");
    assertTrue(c.loggedEventTypes().all());
    assertEquals(RoutingStrategy.LEAST_BUSY, c.router().strategy());
    assertEquals(30, c.router().cooldownSeconds());
    assertEquals("sk-m-1", c.masterKey().orElseThrow().reveal());
  }

  @Test
  void pricesComeFromTheBuiltInTableWithModelInfoOverridesAndBaseModel() throws Exception {
    RelayConfig c = parse("""
        model_list:
          - model_name: rt
            litellm_params:
              model: openai/gpt-realtime-2025-08-28
            model_info:
              output_cost_per_audio_token: 0.00007
          - model_name: rt
            litellm_params:
              model: azure/my-deployment
              api_base: https://x.openai.azure.com
              api_key: sk-az
            model_info:
              mode: realtime
              base_model: azure/gpt-realtime-mini
          - model_name: custom
            litellm_params:
              model: xai/grok-voice
              api_key: sk-x
            model_info:
              input_cost_per_token: "0.0000011"
              output_cost_per_token: 0.0000022
          - model_name: unknown
            litellm_params:
              model: xai/some-voice
              api_key: sk-x
        """ + GENERAL);
    ModelPrices openai = c.deployments().get(0).prices().orElseThrow();
    assertEquals(new BigDecimal("0.000004"), openai.inputPerToken());
    assertEquals(0, new BigDecimal("0.00007").compareTo(openai.outputAudioPerToken().orElseThrow()));
    assertEquals(new BigDecimal("0.0000006"), c.deployments().get(1).prices().orElseThrow().inputPerToken());
    assertEquals(new BigDecimal("0.0000011"), c.deployments().get(2).prices().orElseThrow().inputPerToken());
    assertTrue(c.deployments().get(3).prices().isEmpty(), "no table row and no model_info prices: cost unknown");
  }

  @Test
  void incompleteOrNegativePricesAreRejected() {
    ConfigException missing = assertThrows(ConfigException.class, () -> parse("""
        model_list:
          - model_name: custom
            litellm_params:
              model: xai/grok-voice
              api_key: sk-x
            model_info:
              input_cost_per_audio_token: 0.00001
        """ + GENERAL));
    assertTrue(missing.getMessage().startsWith("model_list[0].model_info"), missing.getMessage());
    assertTrue(missing.getMessage().contains("input_cost_per_token is required"), missing.getMessage());
    ConfigException negative = assertThrows(ConfigException.class, () -> parse("""
        model_list:
          - model_name: rt
            litellm_params:
              model: openai/gpt-realtime
            model_info:
              output_cost_per_token: -1
        """ + GENERAL));
    assertTrue(negative.getMessage().startsWith("model_list[0].model_info.output_cost_per_token"),
        negative.getMessage());
  }

  @Test
  void keyLimitsUseLiteLlmNamesAndAreValidated() throws Exception {
    RelayConfig c = parse("""
        model_list:
          - model_name: rt
            litellm_params:
              model: openai/gpt-realtime
        general_settings:
          master_key: m
          virtual_keys:
            - key_alias: capped
              key: k1
              max_parallel_requests: 2
              rpm_limit: 10
              max_budget: 12.5
              budget_duration: 1mo
        """);
    KeyQuota q = c.virtualKeys().get(0).quota();
    assertEquals(2, q.maxParallelSessions().orElseThrow());
    assertEquals(10, q.sessionsPerMinute().orElseThrow());
    assertEquals(new BigDecimal("12.5"), q.maxBudget().orElseThrow());
    assertEquals(java.time.Duration.ofDays(30), q.budgetDuration().orElseThrow());
    String base = "model_list:\n  - model_name: rt\n    litellm_params:\n      model: openai/gpt-realtime\n"
        + "general_settings:\n  master_key: m\n  virtual_keys:\n    - key_alias: a\n      key: k\n";
    assertTrue(error(base + "      budget_duration: 7x\n      max_budget: 1\n")
        .startsWith("general_settings.virtual_keys[0].budget_duration: unknown unit 'x'"));
    assertTrue(error(base + "      budget_duration: 7d\n").contains("has no effect without max_budget"));
    assertTrue(error(base + "      rpm_limit: 1.5\n").startsWith("general_settings.virtual_keys[0].rpm_limit"));
    assertTrue(error(base + "      max_budget: -1\n").startsWith("general_settings.virtual_keys[0].max_budget"));
  }

  @Test
  void webRtcTokenSecretsAreListedNewestFirstAndNeverDerivedFromTheMasterKey() throws Exception {
    String models = "model_list:\n  - model_name: rt\n    litellm_params:\n      model: openai/gpt-realtime\n";
    RelayConfig rotated = parse(models + "general_settings:\n  master_key: m\n  webrtc_token_secrets:\n"
        + "    - new-secret-0123456789abcdef-0123456789-wxyz\n    - old-secret-0123456789abcdef-0123456789-wxyz\n");
    assertEquals(2, rotated.tokenSecrets().size());
    assertTrue(rotated.tokenSecrets().get(0).reveal().startsWith("new-"));
    assertTrue(parse(models + "general_settings:\n  master_key: sk-a-master-key-long-enough-to-be-a-secret-0123\n")
        .tokenSecrets().isEmpty(), "no secrets configured: WebRTC sign-in is off, the master key is never used");
    assertTrue(error(models + "general_settings:\n  master_key: m\n  webrtc_token_secrets: short\n")
        .contains("at least 43 characters: 32 random bytes, base64-encoded (openssl rand -base64 32)"));
    assertTrue(error(models + "general_settings:\n  virtual_keys:\n    - key_alias: master\n      key: k\n")
        .contains("'master' is reserved"));
  }

  @Test
  void bedrockDeploymentsTakeLiteLlmsAwsNamesAndNeedARegion() throws Exception {
    String base = "model_list:\n  - model_name: n\n    litellm_params:\n      model: bedrock/amazon.nova-2-sonic-v1:0\n";
    RelayConfig c = parse(base + """
              aws_region_name: eu-north-1
              aws_access_key_id: AKIDCONFIG
              aws_secret_access_key: os.environ/MASTER
              aws_role_name: arn:aws:iam::123456789012:role/voice
              stream_renewal_seconds: 300
        """ + GENERAL);
    var d = c.deployments().get(0);
    BedrockSettings b = d.bedrock().orElseThrow();
    assertEquals("amazon.nova-2-sonic-v1:0", d.providerModel());
    assertEquals("eu-north-1", b.region());
    assertEquals("sk-m-1", b.secretAccessKey().orElseThrow().reveal(), "secrets may come from the environment");
    assertEquals("arn:aws:iam::123456789012:role/voice", b.roleName().orElseThrow());
    assertEquals(java.time.Duration.ofSeconds(300), b.streamRenewal());
    assertTrue(d.provider().translated());
    assertEquals(BedrockSettings.DEFAULT_STREAM_RENEWAL, parse(base + "      aws_region_name: us-east-1\n" + GENERAL)
        .deployments().get(0).bedrock().orElseThrow().streamRenewal());
    assertTrue(error(base + GENERAL).startsWith("model_list[0].litellm_params.aws_region_name: missing"),
        error(base + GENERAL));
    assertEquals("us-west-2", new ConfigLoader(Map.of("AWS_REGION", "us-west-2", "MASTER", "m")::get)
        .parse(base + GENERAL, "config.yaml").deployments().get(0).bedrock().orElseThrow().region());
    assertTrue(error(base + "      aws_region_name: us-east-1\n      aws_access_key_id: AKID\n" + GENERAL)
        .contains("aws_access_key_id and aws_secret_access_key go together"));
  }

  @Test
  void vertexAiDeploymentsNeedAProjectAndDefaultTheirLocation() throws Exception {
    String base = "model_list:\n  - model_name: v\n    litellm_params:\n      model: vertex_ai/gemini-live-2.5-flash\n";
    RelayConfig c = parse(base + "      vertex_project: p1\n      vertex_credentials: os.environ/MASTER\n" + GENERAL);
    VertexSettings v = c.deployments().get(0).vertex().orElseThrow();
    assertEquals("p1", v.project());
    assertEquals("us-central1", v.location());
    assertTrue(v.credentials().isPresent());
    assertTrue(c.deployments().get(0).apiKey().isEmpty(), "Vertex AI uses OAuth, not a key");
    assertTrue(error(base + GENERAL).startsWith("model_list[0].litellm_params.vertex_project: missing"));
  }

  @Test
  void defaultsApplyWhenSectionsAreAbsent() throws Exception {
    RelayConfig c = parse("model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n" + GENERAL);
    assertEquals(LoggedEventTypes.DEFAULT, c.loggedEventTypes());
    assertEquals(16 * 1024 * 1024, c.relay().maxMessageBytes());
    assertEquals(RoutingStrategy.SIMPLE_SHUFFLE, c.router().strategy());
    assertTrue(c.usesSimulatedProvider());
  }

  @Test
  void eventLogBoundsHaveDefaultsAndARecordMustHoldAnEnvelope() throws Exception {
    String models = "model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n" + GENERAL;
    RelayConfig defaults = parse(models);
    assertEquals(32 * 1024 * 1024, defaults.relay().eventBufferMaxBytes());
    assertEquals(512 * 1024, defaults.relay().maxLoggedEventBytes());
    assertEquals(30, defaults.relay().writeStallTimeoutSeconds());
    RelayConfig set = parse(models + "relay_settings:\n  event_buffer_max_bytes: 1048576\n"
        + "  max_logged_event_bytes: 65536\n");
    assertEquals(1 << 20, set.relay().eventBufferMaxBytes());
    assertEquals(65536, set.relay().maxLoggedEventBytes());
    String message = error(models + "relay_settings:\n  max_logged_event_bytes: 100\n");
    assertTrue(message.startsWith("relay_settings.max_logged_event_bytes: must be at least 1024"), message);
  }

  @Test
  void badYamlNamesTheLine() throws Exception {
    String message = error("model_list:\n  - model_name: [unclosed\n");
    assertTrue(message.startsWith("config.yaml: line"), message);
  }

  @Test
  void onlyRealtimeDeploymentsAreServedTheRestAreSkippedWithAReason() throws Exception {
    RelayConfig c = parse("""
        model_list:
          - model_name: claude
            litellm_params: {model: anthropic/claude-3-5-sonnet-20240620, api_key: os.environ/NOT_SET_ANYWHERE}
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_key: os.environ/NOT_SET_ANYWHERE}
          - model_name: embed
            litellm_params: {model: text-embedding-3-small}
          - model_name: rt-chat-mode
            litellm_params: {model: openai/gpt-realtime}
            model_info: {mode: chat}
          - model_name: all
            litellm_params: {model: "openai/*"}
          - model_name: rt
            litellm_params: {model: openai/gpt-4o-realtime-preview-2024-10-01, api_key: k}
          - model_name: bare
            litellm_params: {model: gpt-realtime, api_key: k}
          - model_name: custom
            litellm_params: {model: openai/my-voice, api_key: k}
            model_info: {mode: realtime}
          - model_name: az
            litellm_params: {model: azure/prod-voice, api_key: k, api_base: https://r.openai.azure.com}
            model_info: {base_model: azure/gpt-realtime}
          - model_name: gemini
            litellm_params: {model: gemini/gemini-2.5-flash-native-audio-preview-09-2025, api_key: k}
          - model_name: gemini-chat
            litellm_params: {model: gemini/gemini-2.5-pro, api_key: k}
          - model_name: nova
            litellm_params: {model: bedrock/amazon.nova-sonic-v1:0, aws_region_name: us-east-1}
          - model_name: grok
            litellm_params: {model: xai/grok-4-1-fast-non-reasoning, api_key: k}
        """ + GENERAL);
    assertEquals(List.of("rt", "bare", "custom", "az", "gemini", "nova"),
        c.deployments().stream().map(DeploymentConfig::modelName).toList());
    assertEquals(Provider.OPENAI, c.deployments().get(1).provider(), "no prefix: OpenAI, by its realtime name");
    Map<String, String> skipped = new java.util.LinkedHashMap<>();
    c.skippedDeployments().forEach(d -> skipped.put(d.modelName(), d.reason()));
    assertEquals(List.of("claude", "gpt-4o", "embed", "rt-chat-mode", "all", "gemini-chat", "grok"),
        List.copyOf(skipped.keySet()));
    assertTrue(skipped.get("claude").contains("provider 'anthropic'"), skipped.get("claude"));
    assertTrue(skipped.get("gpt-4o").contains("set model_info.mode: realtime"), skipped.get("gpt-4o"));
    assertTrue(skipped.get("rt-chat-mode").contains("'chat'"), skipped.get("rt-chat-mode"));
    assertTrue(skipped.get("all").contains("wildcard"), skipped.get("all"));
    assertEquals("model_list[0]", c.skippedDeployments().get(0).path());
    assertEquals(Optional.empty(), c.servesNothing());
  }

  @Test
  void aLiteLlmProxyConfigStartsUnchangedAndSaysWhatItDoesNotUse() throws Exception {
    RelayConfig c = new ConfigLoader(n -> n.equals("LITELLM_MASTER_KEY") ? "sk-from-env" : null).parse("""
        model_list:
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_key: os.environ/OPENAI_API_KEY}
          - model_name: rt
            litellm_params: {model: openai/gpt-realtime, api_key: os.environ/OPENAI_API_KEY}
        environment_variables:
          OPENAI_API_KEY: sk-set-in-the-config
        litellm_settings:
          success_callback: ["langfuse"]
          drop_params: true
        router_settings:
          routing_strategy: usage-based-routing-v2
          redis_host: os.environ/REDIS_HOST
          allowed_fails: 2
        general_settings:
          database_url: os.environ/DATABASE_URL
          alerting: ["slack"]
        callback_settings:
          otel: {message_logging: false}
        """, "litellm.yaml");
    assertEquals("sk-set-in-the-config", c.deployments().get(0).apiKey().orElseThrow().reveal());
    assertEquals("sk-from-env", c.masterKey().orElseThrow().reveal(), "LiteLLM's LITELLM_MASTER_KEY");
    assertEquals(RoutingStrategy.LEAST_BUSY, c.router().strategy());
    assertEquals(2, c.router().allowedFails());
    assertEquals(1, c.warnings().size());
    assertTrue(c.warnings().get(0).contains("usage-based-routing-v2"), c.warnings().get(0));
    assertEquals(List.of("callback_settings", "general_settings.database_url",
        "general_settings.alerting", "litellm_settings.success_callback", "litellm_settings.drop_params",
        "router_settings.redis_host").stream().sorted().toList(),
        c.settingsNotUsed().stream().sorted().toList());
  }

  @Test
  void guardrailsOfTypesTheRelayLacksAreSkippedUnlessTrafficWouldGoUncheckedByThem() throws Exception {
    String models = "model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n";
    String presidio = "guardrails:\n  - guardrail_name: pii\n    litellm_params: {guardrail: presidio, mode: pre_call%s}\n";
    RelayConfig c = parse(models + GENERAL + presidio.formatted(""));
    assertTrue(c.guardrails().isEmpty());
    assertTrue(c.warnings().get(0).contains("guardrail 'pii': type 'presidio' is not implemented"), c.warnings().get(0));
    String defaultOn = error(models + GENERAL + presidio.formatted(", default_on: true"));
    assertTrue(defaultOn.startsWith("guardrails[0].litellm_params.guardrail: type 'presidio' is not implemented"),
        defaultOn);
    assertTrue(defaultOn.contains("default_on"), defaultOn);
    String onAKey = error(models + presidio.formatted("") + "general_settings:\n  virtual_keys:\n"
        + "    - {key_alias: app, key: sk-app-key-0123, guardrails: [pii]}\n");
    assertTrue(onAKey.startsWith("general_settings.virtual_keys[0].guardrails: guardrail 'pii' is of type 'presidio'"),
        onAKey);
  }

  @Test
  void warmConnectionsAreForRelayedDeploymentsAndBounded() throws Exception {
    RelayConfig c = parse("model_list:\n  - model_name: a\n    litellm_params: {model: openai/gpt-realtime, api_key: k, "
        + "warm_connections: 2, warm_connection_max_age_seconds: 20}\n  - model_name: b\n    litellm_params: "
        + "{model: openai/gpt-realtime, api_key: k}\n" + GENERAL);
    assertEquals(2, c.deployments().get(0).warmConnections());
    assertEquals(20_000, c.deployments().get(0).warmMaxAgeMillis());
    assertEquals(0, c.deployments().get(1).warmConnections(), "off unless asked for");
    assertEquals(50_000, c.deployments().get(1).warmMaxAgeMillis());
    String translated = error("model_list:\n  - model_name: a\n    litellm_params: {model: gemini/gemini-live-x, "
        + "api_key: k, warm_connections: 1}\n" + GENERAL);
    assertTrue(translated.startsWith("model_list[0].litellm_params.warm_connections: only for openai/"), translated);
    String many = error("model_list:\n  - model_name: a\n    litellm_params: {model: openai/gpt-realtime, api_key: k, "
        + "warm_connections: 100}\n" + GENERAL);
    assertTrue(many.contains("at most 16"), many);
  }

  @Test
  void aValueTheRelayUsesIsStillValidatedStrictly() throws Exception {
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n" + GENERAL
        + "router_settings:\n  allowed_fails: two\n  redis_password: whatever\n");
    assertTrue(message.startsWith("router_settings.allowed_fails: must be a number"), message);
  }

  @Test
  void aConfigThatServesNothingStillParsesAndSaysWhy() throws Exception {
    RelayConfig noModels = parse("general_settings:\n  master_key: sk-x\n");
    assertTrue(noModels.servesNothing().orElseThrow().startsWith("no realtime deployment"));
    RelayConfig onlyChat = parse("model_list:\n  - model_name: a\n    litellm_params: {model: openai/gpt-4o}\n"
        + GENERAL);
    assertTrue(onlyChat.servesNothing().orElseThrow().contains("1 entries skipped"), onlyChat.servesNothing().get());
  }

  @Test
  void missingEnvironmentVariableNamesFieldAndVariable() throws Exception {
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: openai/gpt-realtime, api_key: "
        + "os.environ/NOT_SET_ANYWHERE}\n" + GENERAL);
    assertEquals("model_list[0].litellm_params.api_key: environment variable NOT_SET_ANYWHERE is not set", message);
  }

  @Test
  void duplicateKeysAreRejected() throws Exception {
    String message = error("model_list:\n  - model_name: a\n    model_name: b\n    litellm_params: {model: simulated/x}\n"
        + GENERAL);
    assertTrue(message.contains("duplicate key 'model_name'"), message);
  }

  @Test
  void azureWithoutApiBaseIsRejected() throws Exception {
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: azure/gpt-realtime, api_key: k}\n"
        + GENERAL);
    assertTrue(message.startsWith("model_list[0].litellm_params.api_base: required for azure/"), message);
  }

  @Test
  void noKeysAtAllStartsButServesNobody() throws Exception {
    RelayConfig c = parse("model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n");
    assertTrue(c.servesNothing().orElseThrow().contains("general_settings.master_key"), c.servesNothing().get());
  }

  @Test
  void unknownRoutingStrategyIsRejectedLiteLlmsOthersRunAsLeastBusy() throws Exception {
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n" + GENERAL
        + "router_settings:\n  routing_strategy: fastest-first\n");
    assertTrue(message.contains("router_settings.routing_strategy: unsupported 'fastest-first'"), message);
    for (String name : RoutingStrategy.LITELLM_FALLBACKS) {
      RelayConfig c = parse("model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n" + GENERAL
          + "router_settings:\n  routing_strategy: " + name + "\n");
      assertEquals(RoutingStrategy.LEAST_BUSY, c.router().strategy(), name);
      assertTrue(c.warnings().get(0).contains(name), c.warnings().toString());
    }
  }

  @Test
  void virtualKeysAreStoredOnlyAsDigestsAndValidated() throws Exception {
    RelayConfig c = parse("model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n"
        + "general_settings:\n  virtual_keys:\n    - key_alias: app\n      key: sk-plain-app-key\n"
        + "      models: [a]\n      max_parallel_requests: 3\n      expires: 2030-01-01T00:00:00Z\n"
        + "      metadata: {team: blue}\n");
    VirtualKeyConfig key = c.virtualKeys().get(0);
    assertEquals(32, key.sha256().length);
    assertEquals(3, key.quota().maxParallelSessions().orElseThrow());
    assertEquals("blue", key.metadata().get("team"));
    assertFalse(c.toString().contains("sk-plain-app-key"));
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n"
        + "general_settings:\n  virtual_keys:\n    - key_alias: app\n      key_sha256: abc\n");
    assertEquals("general_settings.virtual_keys[0].key_sha256: must be 64 hex characters (SHA-256)", message);
  }

  @Test
  void configErrorsNeverContainTheSecretValue() throws Exception {
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: openai/gpt-realtime, api_key: sk-inline-9z,"
        + " api_base: ftp://nope}\n" + GENERAL);
    assertFalse(message.contains("sk-inline-9z"), message);
  }

  @Test
  void guardrailReferencesMustNameConfiguredGuardrails() {
    String guardrails = "guardrails:\n  - guardrail_name: g1\n    litellm_params:\n      guardrail: litellm_content_filter\n"
        + "      blocked_words: [{keyword: x, action: BLOCK}]\n";
    String model = "model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n";
    String keyRef = error(model + guardrails + "general_settings:\n  master_key: m\n  virtual_keys:\n"
        + "    - {key_alias: k, key: sk-k, guardrails: [g2]}\n");
    assertTrue(keyRef.startsWith("general_settings.virtual_keys[0].guardrails: unknown guardrail 'g2'"), keyRef);
    String teamRef = error(model + guardrails + "general_settings:\n  master_key: m\n  teams:\n"
        + "    - {team_id: t, guardrails: [nope]}\n");
    assertTrue(teamRef.startsWith("general_settings.teams[0].guardrails: unknown guardrail 'nope'"), teamRef);
    String dup = error(model + guardrails + guardrails.substring("guardrails:\n".length()) + GENERAL);
    assertTrue(dup.contains("duplicate name 'g1'"), dup);
    RelayConfig ok = parse(model + guardrails + "general_settings:\n  master_key: m\n  virtual_keys:\n"
        + "    - {key_alias: k, key: sk-k, metadata: {guardrails: [g1], owner: o}}\n");
    assertEquals(java.util.List.of("g1"), ok.virtualKeys().get(0).guardrails());
    assertEquals("o", ok.virtualKeys().get(0).metadata().get("owner"));
  }

  @Test
  void missingFileIsReported(@TempDir Path dir) throws Exception {
    String message = assertThrows(ConfigException.class,
        () -> new ConfigLoader(ENV::get).load(dir.resolve("absent.yaml"))).getMessage();
    assertTrue(message.endsWith("absent.yaml: file not found"), message);
  }

  @Test
  void exampleConfigInRepositoryParses() throws Exception {
    Path example = Path.of("..", "config", "config.yaml");
    assertTrue(Files.exists(example), "config/config.yaml must exist");
    RelayConfig c = new ConfigLoader(name -> name.endsWith("_BASE") ? "https://placeholder.example" : "placeholder-0123456789abcdef-" + name)
        .load(example);
    assertFalse(c.deployments().isEmpty());
  }
}
