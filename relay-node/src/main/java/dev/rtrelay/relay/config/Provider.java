package dev.rtrelay.relay.config;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** Upstream realtime providers, selected by the prefix of {@code litellm_params.model} (LiteLLM's convention). */
public enum Provider {
  OPENAI("openai", "https://api.openai.com", "OPENAI_API_KEY"),
  AZURE("azure", null, "AZURE_API_KEY"),
  XAI("xai", "https://api.x.ai/v1", "XAI_API_KEY"),
  /** Gemini Live (AI Studio): its own protocol, translated to and from OpenAI Realtime by the relay. */
  GEMINI("gemini", "https://generativelanguage.googleapis.com", "GEMINI_API_KEY"),
  /** Gemini Live on Vertex AI: OAuth instead of a key, translated like {@link #GEMINI}. */
  VERTEX_AI("vertex_ai", null, null),
  /** Amazon Bedrock Nova Sonic: an HTTP/2 event stream signed with SigV4, translated like {@link #GEMINI}. */
  BEDROCK("bedrock", null, null),
  /** The built-in responder: lets the relay run with no provider key at all. */
  SIMULATED("simulated", null, null);

  private final String prefix;
  private final String defaultApiBase;
  private final String defaultKeyEnv;

  Provider(String prefix, String defaultApiBase, String defaultKeyEnv) {
    this.prefix = prefix;
    this.defaultApiBase = defaultApiBase;
    this.defaultKeyEnv = defaultKeyEnv;
  }

  public String prefix() {
    return prefix;
  }

  /** Base URL used when {@code api_base} is absent; empty for providers that have none (Azure needs a resource). */
  public Optional<String> defaultApiBase() {
    return Optional.ofNullable(defaultApiBase);
  }

  /** Environment variable LiteLLM falls back to when {@code api_key} is absent. */
  public Optional<String> defaultKeyEnv() {
    return Optional.ofNullable(defaultKeyEnv);
  }

  /** True when the provider speaks another protocol and the relay translates (no frame-by-frame passthrough). */
  public boolean translated() {
    return this == GEMINI || this == VERTEX_AI || this == BEDROCK;
  }

  public static Optional<Provider> byPrefix(String prefix) {
    return Arrays.stream(values()).filter(p -> p.prefix.equals(prefix)).findFirst();
  }

  public static String knownPrefixes() {
    return Arrays.stream(values()).map(p -> p.prefix + "/").collect(Collectors.joining(", "));
  }
}
