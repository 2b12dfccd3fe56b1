package dev.rtrelay.relay;

import dev.rtrelay.relay.config.RelayConfig;
import dev.rtrelay.relay.guardrails.Guardrail;
import dev.rtrelay.relay.routing.DeploymentRouter;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies a reloaded, fully validated config to a running node, for new sessions only: keys (master, virtual, teams),
 * model groups and deployments (prices, routing settings and warm connections included) and guardrails. Sessions
 * already open keep what they were admitted with.
 *
 * <p>What a node builds once at start (its listeners, its event log, its WebRTC token secrets, the simulated provider)
 * is not replaced: a change there is applied with the rest and named in the outcome as needing a restart, except a
 * new {@code simulated/} deployment on a node started without the simulated provider, which refuses the reload
 * (it would have nothing to connect to).
 */
public final class ConfigReload {
  private ConfigReload() {}

  /** What a reload did: its one log line, and whether it was applied. */
  public record Outcome(boolean applied, String summary) {}

  static Outcome apply(Vertx vertx, NodeServices services, RelayConfig next) {
    RelayConfig before = services.config().current();
    if (next.usesSimulatedProvider() && services.simulatedBase().isEmpty()) {
      return new Outcome(false, "it adds a simulated/ deployment without api_base, and the built-in simulated "
          + "provider starts only with the node: restart the node to add one");
    }
    services.authenticator().replace(next);
    DeploymentRouter.Change deployments = services.router().replace(next.deployments(), next.router());
    // An unchanged guardrail keeps its bound instance (and a remote one its connection pool); a changed one is bound
    // anew, and the old instance stays with the sessions admitted with it.
    List<Guardrail> bound = next.guardrails().stream().map(g -> services.guardrails().named(g.name())
        .filter(old -> old.sameAs(g)).orElseGet(() -> g.bind(vertx))).toList();
    services.guardrails().replace(bound);
    services.relayMetrics().deploymentsChanged();
    services.config().set(next);
    return new Outcome(true, describe(before, next, deployments));
  }

  private static String describe(RelayConfig before, RelayConfig next, DeploymentRouter.Change change) {
    long models = next.deployments().stream().map(d -> d.modelName()).distinct().count();
    StringBuilder text = new StringBuilder()
        .append(models).append(" model(s), ").append(next.deployments().size()).append(" deployment(s)");
    if (!change.none()) {
      text.append(" (added ").append(change.added().size()).append(", changed ").append(change.changed().size())
          .append(", removed ").append(change.removed().size()).append(')');
    }
    text.append(", ").append(next.virtualKeys().size()).append(" virtual key(s), ")
        .append(next.guardrails().size()).append(" guardrail(s); in force for new sessions");
    List<String> restart = restartOnly(before, next);
    if (!restart.isEmpty()) {
      text.append("; changed but applied only at the next restart: ").append(String.join(", ", restart));
    }
    Optional<String> servesNothing = next.servesNothing();
    servesNothing.ifPresent(why -> text.append("; this config serves no client: ").append(why));
    return text.toString();
  }

  /** Sections the node reads once at start. */
  private static List<String> restartOnly(RelayConfig before, RelayConfig next) {
    List<String> changed = new ArrayList<>();
    if (!before.relay().equals(next.relay())) {
      changed.add("relay_settings");
    }
    if (!before.loggedEventTypes().equals(next.loggedEventTypes())) {
      changed.add("litellm_settings.logged_real_time_event_types");
    }
    if (!before.tokenSecrets().equals(next.tokenSecrets())) {
      changed.add("general_settings.webrtc_token_secrets");
    }
    return changed;
  }
}
