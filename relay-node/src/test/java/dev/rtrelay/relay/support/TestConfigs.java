package dev.rtrelay.relay.support;

/** Inline YAML configs for tests. Provider keys here are sentinels that tests search for in logs and bodies. */
public final class TestConfigs {
  public static final String PROVIDER_KEY = "sk-provider-secret-4b1d";
  public static final String TEAM_KEY = "sk-team-a-key-93e2";
  public static final String LIMITED_KEY = "sk-limited-key-55c0";
  public static final String EXPIRED_KEY = "sk-expired-key-0a77";

  private TestConfigs() {}

  /** One alias {@code echo} on an OpenAI-style deployment pointing at {@code upstreamBase}, plus three virtual keys. */
  public static String echo(String upstreamBase) {
    return """
        model_list:
          - model_name: echo
            litellm_params:
              model: openai/echo-model
              api_key: %s
              api_base: %s
            model_info: {mode: realtime}
          - model_name: other
            litellm_params:
              model: openai/other-model
              api_key: %s
              api_base: %s
            model_info: {mode: realtime}
        general_settings:
          master_key: %s
          virtual_keys:
            - key_alias: team-a
              key: %s
              models: [echo]
              team_id: team-a
            - key_alias: limited
              key: %s
              max_parallel_requests: 1
            - key_alias: old
              key: %s
              expires: 2020-01-01T00:00:00Z
        relay_settings:
          max_message_bytes: 33554432
        """.formatted(PROVIDER_KEY, upstreamBase, PROVIDER_KEY, upstreamBase, RelayFixture.MASTER_KEY, TEAM_KEY,
        LIMITED_KEY, EXPIRED_KEY);
  }
}
