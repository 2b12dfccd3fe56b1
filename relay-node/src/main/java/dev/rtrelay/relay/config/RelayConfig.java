package dev.rtrelay.relay.config;

import dev.rtrelay.relay.guardrails.Guardrail;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The whole parsed configuration: immutable, validated once at start-up. */
public record RelayConfig(
    List<DeploymentConfig> deployments,
    Optional<Secret> masterKey,
    List<VirtualKeyConfig> virtualKeys,
    RouterSettings router,
    RelaySettings relay,
    LoggedEventTypes loggedEventTypes,
    List<Guardrail> guardrails,
    Map<String, List<String>> teamGuardrails,
    List<Secret> webrtcTokenSecrets) {

  /**
   * Secrets that seal WebRTC client secrets, newest first ({@code general_settings.webrtc_token_secrets}); empty when
   * not configured, and then WebRTC sign-in is off. Never derived from the master key: a client secret in a browser
   * would otherwise let anyone test master-key guesses offline against its authentication tag.
   */
  public List<Secret> tokenSecrets() {
    return webrtcTokenSecrets;
  }


  public boolean usesSimulatedProvider() {
    return deployments.stream().anyMatch(d -> d.provider() == Provider.SIMULATED && d.apiBase().isEmpty());
  }
}
