package dev.rtrelay.relay.keys;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A team made through the management API ({@code /team/new}): what {@code general_settings.teams} can say in the
 * config (guardrails that run for every key of the team), plus a display alias and metadata.
 */
public record RuntimeTeam(
    String teamId,
    Optional<String> alias,
    List<String> guardrails,
    Map<String, String> metadata,
    Instant createdAt) {}
