package dev.rtrelay.relay.auth;

import dev.rtrelay.relay.http.RelayException;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The key a client presented and the subprotocols it offered. All three forms seen in the wild are accepted:
 * {@code Authorization: Bearer}, {@code api-key} (Azure-style clients, LiteLLM's docs) and the browser subprotocol
 * {@code openai-insecure-api-key.<key>} (browsers cannot set headers). {@code x-litellm-api-key} is honoured too.
 */
public record ClientCredentials(Optional<String> key, String form, List<String> offeredSubprotocols) {
  public static final String REALTIME_SUBPROTOCOL = "realtime";
  private static final String KEY_SUBPROTOCOL_PREFIX = "openai-insecure-api-key.";

  public static ClientCredentials from(MultiMap headers) {
    List<String> offered = new ArrayList<>();
    for (String header : headers.getAll("sec-websocket-protocol")) {
      for (String part : header.split(",")) {
        String p = part.trim();
        if (!p.isEmpty()) {
          offered.add(p);
        }
      }
    }
    Optional<String> subprotocolKey = offered.stream().filter(p -> p.startsWith(KEY_SUBPROTOCOL_PREFIX))
        .map(p -> p.substring(KEY_SUBPROTOCOL_PREFIX.length())).filter(k -> !k.isEmpty()).findFirst();
    List<String> protocols = List.copyOf(offered);
    Optional<String> bearer = bearer(headers.get("authorization"));
    if (bearer.isPresent()) {
      return new ClientCredentials(bearer, "bearer", protocols);
    }
    Optional<String> apiKey = nonBlank(headers.get("api-key"));
    if (apiKey.isPresent()) {
      return new ClientCredentials(apiKey, "api-key", protocols);
    }
    Optional<String> litellmKey = nonBlank(headers.get("x-litellm-api-key"));
    if (litellmKey.isPresent()) {
      return new ClientCredentials(litellmKey, "x-litellm-api-key", protocols);
    }
    return new ClientCredentials(subprotocolKey, subprotocolKey.isPresent() ? "subprotocol" : "none", protocols);
  }

  /**
   * A client that offers subprotocols but not {@code realtime} would get no subprotocol back, and browsers and
   * {@code ws} then fail the connection while the server believes it succeeded; refuse it with a clear reason instead.
   */
  public void requireRealtimeSubprotocolIfAnyOffered() {
    if (!offeredSubprotocols.isEmpty() && !offeredSubprotocols.contains(REALTIME_SUBPROTOCOL)) {
      throw RelayException.badRequest(
          "Sec-WebSocket-Protocol was offered without 'realtime'; offer 'realtime' as well (e.g. "
              + "['realtime', 'openai-insecure-api-key.<key>'])");
    }
  }

  private static Optional<String> bearer(String authorization) {
    if (authorization == null) {
      return Optional.empty();
    }
    String trimmed = authorization.trim();
    if (trimmed.length() > 7 && trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return nonBlank(trimmed.substring(7));
    }
    return Optional.empty();
  }

  private static Optional<String> nonBlank(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  @Override
  public String toString() {
    // The default record toString would print the key.
    return "ClientCredentials[key=" + (key.isPresent() ? "****" : "none") + ", subprotocols=" + offeredSubprotocols.size()
        + "]";
  }
}
