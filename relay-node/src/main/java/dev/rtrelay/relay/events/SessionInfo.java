package dev.rtrelay.relay.events;

import java.util.Optional;

/**
 * The fixed facts of a session that every envelope carries. Nothing secret: the key appears only as its alias.
 *
 * @param keyAlias the virtual key's alias, or {@code master}
 */
public record SessionInfo(String sessionId, String nodeId, String model, String deployment, String keyAlias,
    Optional<String> teamId) {}
