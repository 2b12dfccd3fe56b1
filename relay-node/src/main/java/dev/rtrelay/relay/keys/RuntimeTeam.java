package dev.rtrelay.relay.keys;

import dev.rtrelay.relay.config.KeyQuota;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A team made through the management API ({@code /team/new}): what {@code general_settings.teams} can say in the
 * config (guardrails that run for every key of the team, and limits counted over all its keys' sessions), plus a
 * display alias and metadata.
 */
public record RuntimeTeam(
    String teamId,
    Optional<String> alias,
    List<String> guardrails,
    KeyQuota quota,
    Map<String, String> metadata,
    Instant createdAt) {}
