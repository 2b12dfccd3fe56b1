package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.auth.Principal;

/**
 * What is known about a session once it is routed: all loggable, nothing secret.
 *
 * @param quiet a warm-up session: its opening and closing are not logged
 */
public record SessionContext(String sessionId, String modelAlias, Principal principal, String deploymentId,
    boolean quiet) {}
