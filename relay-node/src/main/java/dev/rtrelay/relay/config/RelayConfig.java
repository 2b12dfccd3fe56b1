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
    Map<String, List<String>> teamGuardrails) {

  public boolean usesSimulatedProvider() {
    return deployments.stream().anyMatch(d -> d.provider() == Provider.SIMULATED && d.apiBase().isEmpty());
  }
}
