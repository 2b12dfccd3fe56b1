package dev.rtrelay.relay;

import java.util.function.Function;

/**
 * The embedded development config used when no {@code --config} is given: one alias {@code gpt-realtime}, served by
 * OpenAI when {@code OPENAI_API_KEY} is set and by the built-in simulated provider otherwise, so the relay runs on a
 * fresh machine with no provider key.
 */
final class DefaultConfig {
  /** Documented in README; only ever used with the embedded config, which binds to loopback by default. */
  static final String DEV_MASTER_KEY = "sk-relay-local-dev";
  /** Seals WebRTC client secrets in the embedded config only; public, like the development master key. */
  static final String DEV_WEBRTC_TOKEN_SECRET = "rtrelay-local-development-only-webrtc-token-secret";

  private DefaultConfig() {}

  static String yaml(Function<String, String> env) {
    boolean openai = present(env.apply("OPENAI_API_KEY"));
    String model = openai ? "openai/gpt-realtime\n      api_key: os.environ/OPENAI_API_KEY" : "simulated/gpt-realtime";
    String masterKey = present(env.apply("RELAY_MASTER_KEY")) ? "os.environ/RELAY_MASTER_KEY" : DEV_MASTER_KEY;
    return """
        model_list:
          - model_name: gpt-realtime
            litellm_params:
              model: %s
            model_info:
              mode: realtime
        general_settings:
          master_key: %s
          webrtc_token_secrets: [%s]
        """.formatted(model, masterKey, DEV_WEBRTC_TOKEN_SECRET);
  }

  static String describe(Function<String, String> env) {
    boolean openai = present(env.apply("OPENAI_API_KEY"));
    boolean customKey = present(env.apply("RELAY_MASTER_KEY"));
    return "no --config given: using the embedded development config (model 'gpt-realtime' -> "
        + (openai ? "OpenAI, key from OPENAI_API_KEY" : "built-in simulated provider") + "; master key "
        + (customKey ? "from RELAY_MASTER_KEY" : "is the development default from README") + ")";
  }

  private static boolean present(String v) {
    return v != null && !v.isBlank();
  }
}
