package dev.rtrelay.relay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
  void defaultsApplyWhenSectionsAreAbsent() throws Exception {
    RelayConfig c = parse("model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n" + GENERAL);
    assertEquals(LoggedEventTypes.DEFAULT, c.loggedEventTypes());
    assertEquals(16 * 1024 * 1024, c.relay().maxMessageBytes());
    assertEquals(RoutingStrategy.SIMPLE_SHUFFLE, c.router().strategy());
    assertTrue(c.usesSimulatedProvider());
  }

  @Test
  void badYamlNamesTheLine() throws Exception {
    String message = error("model_list:\n  - model_name: [unclosed\n");
    assertTrue(message.startsWith("config.yaml: line"), message);
  }

  @Test
  void unknownProviderPrefixNamesTheFieldAndKnownPrefixes() throws Exception {
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: acme/x}\n" + GENERAL);
    assertTrue(message.startsWith("model_list[0].litellm_params.model: unknown provider prefix"), message);
    assertTrue(message.contains("openai/") && message.contains("azure/"), message);
  }

  @Test
  void missingEnvironmentVariableNamesFieldAndVariable() throws Exception {
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: openai/x, api_key: "
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
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: azure/x, api_key: k}\n"
        + GENERAL);
    assertTrue(message.startsWith("model_list[0].litellm_params.api_base: required for azure/"), message);
  }

  @Test
  void noKeysAtAllIsRejected() throws Exception {
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n");
    assertTrue(message.startsWith("general_settings.master_key"), message);
  }

  @Test
  void unsupportedRoutingStrategyIsRejected() throws Exception {
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n" + GENERAL
        + "router_settings:\n  routing_strategy: latency-based-routing\n");
    assertTrue(message.contains("router_settings.routing_strategy: unsupported 'latency-based-routing'"), message);
  }

  @Test
  void virtualKeysAreStoredOnlyAsDigestsAndValidated() throws Exception {
    RelayConfig c = parse("model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n"
        + "general_settings:\n  virtual_keys:\n    - key_alias: app\n      key: sk-plain-app-key\n"
        + "      models: [a]\n      max_parallel_requests: 3\n      expires: 2030-01-01T00:00:00Z\n"
        + "      metadata: {team: blue}\n");
    VirtualKeyConfig key = c.virtualKeys().get(0);
    assertEquals(32, key.sha256().length);
    assertEquals(3, key.maxParallelSessions().orElseThrow());
    assertEquals("blue", key.metadata().get("team"));
    assertFalse(c.toString().contains("sk-plain-app-key"));
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: simulated/x}\n"
        + "general_settings:\n  virtual_keys:\n    - key_alias: app\n      key_sha256: abc\n");
    assertEquals("general_settings.virtual_keys[0].key_sha256: must be 64 hex characters (SHA-256)", message);
  }

  @Test
  void configErrorsNeverContainTheSecretValue() throws Exception {
    String message = error("model_list:\n  - model_name: a\n    litellm_params: {model: openai/x, api_key: sk-inline-9z,"
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
    RelayConfig c = new ConfigLoader(name -> name.endsWith("_BASE") ? "https://placeholder.example" : "placeholder-" + name)
        .load(example);
    assertFalse(c.deployments().isEmpty());
  }
}
