package dev.rtrelay.relay.config;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A virtual key as declared in config. Only the SHA-256 of the key is kept, so a leaked config dump or heap view
 * does not hand out working keys.
 *
 * @param alias human name, safe to log ({@code key_alias})
 * @param sha256 digest of the key's UTF-8 bytes
 * @param models aliases the key may use; empty means every alias
 * @param quota cluster-wide limits: parallel sessions, sessions per minute, budget
 * @param expires instant after which the key is refused
 * @param guardrails guardrail names that always run for this key's sessions
 */
public record VirtualKeyConfig(
    String alias,
    byte[] sha256,
    Set<String> models,
    KeyQuota quota,
    Optional<Instant> expires,
    Optional<String> teamId,
    Map<String, String> metadata,
    List<String> guardrails) {}
