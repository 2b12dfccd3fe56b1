package dev.rtrelay.relay.events;

import java.util.Optional;

/** What the opened envelope records about the client connection. */
public record ClientInfo(String ip, Optional<String> forwardedFor, Optional<String> userAgent,
    Optional<String> subprotocol, String authForm) {}
