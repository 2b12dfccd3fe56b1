package dev.rtrelay.relay.auth;

import dev.rtrelay.relay.config.KeyQuota;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who a session belongs to, as far as logs and limits need to know: never the key itself.
 *
 * @param id stable, loggable identity: the key alias, or {@code master}
 * @param models aliases allowed; empty means all
 * @param quota cluster-wide limits; the master key has none
 * @param guardrails guardrail names attached to the key and its team
 * @param teamQuota the team's own limits, counted over all its keys' sessions ({@link KeyQuota#NONE} without)
 */
public record Principal(
    String id,
    Set<String> models,
    KeyQuota quota,
    Optional<String> teamId,
    Map<String, String> metadata,
    List<String> guardrails,
    KeyQuota teamQuota) {

  /** A principal whose team, if any, has no limits of its own. */
  public Principal(String id, Set<String> models, KeyQuota quota, Optional<String> teamId,
      Map<String, String> metadata, List<String> guardrails) {
    this(id, models, quota, teamId, metadata, guardrails, KeyQuota.NONE);
  }

  public static Principal master() {
    return new Principal("master", Set.of(), KeyQuota.NONE, Optional.empty(), Map.of(), List.of());
  }

  public boolean mayUse(String alias) {
    return models.isEmpty() || models.contains(alias);
  }
}
