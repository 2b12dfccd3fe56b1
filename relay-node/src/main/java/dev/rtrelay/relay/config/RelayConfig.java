package dev.rtrelay.relay.config;

import java.util.List;
import java.util.Optional;

/** The whole parsed configuration: immutable, validated once at start-up. */
public record RelayConfig(
    List<DeploymentConfig> deployments,
    Optional<Secret> masterKey,
    List<VirtualKeyConfig> virtualKeys,
    RouterSettings router,
    RelaySettings relay,
    LoggedEventTypes loggedEventTypes) {

  public boolean usesSimulatedProvider() {
    return deployments.stream().anyMatch(d -> d.provider() == Provider.SIMULATED && d.apiBase().isEmpty());
  }
}
