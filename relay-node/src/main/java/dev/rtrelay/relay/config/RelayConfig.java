package dev.rtrelay.relay.config;

import dev.rtrelay.relay.guardrails.Guardrail;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole parsed configuration: immutable, validated once at start-up.
 *
 * @param skippedDeployments {@code model_list} entries not served (not realtime, another provider), with why
 * @param settingsNotUsed LiteLLM settings accepted but not acted on, as key paths
 * @param teamQuotas teams' own limits ({@code general_settings.teams[]}), counted over all their keys' sessions
 * @param warnings settings accepted with a fallback (e.g. a LiteLLM routing strategy run as least-busy)
 */
public record RelayConfig(
    List<DeploymentConfig> deployments,
    Optional<Secret> masterKey,
    List<VirtualKeyConfig> virtualKeys,
    RouterSettings router,
    RelaySettings relay,
    LoggedEventTypes loggedEventTypes,
    List<Guardrail> guardrails,
    Map<String, List<String>> teamGuardrails,
    Map<String, KeyQuota> teamQuotas,
    List<Secret> webrtcTokenSecrets,
    List<SkippedDeployment> skippedDeployments,
    List<String> settingsNotUsed,
    List<String> warnings) {

  /**
   * Secrets that seal WebRTC client secrets, newest first ({@code general_settings.webrtc_token_secrets}); empty when
   * not configured, and then WebRTC sign-in is off. Never derived from the master key: a client secret in a browser
   * would otherwise let anyone test master-key guesses offline against its authentication tag.
   */
  public List<Secret> tokenSecrets() {
    return webrtcTokenSecrets;
  }


  /**
   * Why this config cannot serve any client, if so: no realtime deployment, or no key to admit anyone. The relay still
   * starts (a LiteLLM config must start unchanged) and its readiness stays 503 with this reason.
   */
  public Optional<String> servesNothing() {
    if (deployments.isEmpty()) {
      return Optional.of("no realtime deployment in model_list (" + skippedDeployments.size() + " entries skipped)");
    }
    if (masterKey.isEmpty() && virtualKeys.isEmpty()) {
      return Optional.of("no key: set general_settings.master_key (or LITELLM_MASTER_KEY) or virtual_keys");
    }
    return Optional.empty();
  }

  public boolean usesSimulatedProvider() {
    return deployments.stream().anyMatch(d -> d.provider() == Provider.SIMULATED && d.apiBase().isEmpty());
  }
}
