package dev.rtrelay.relay.auth;

import dev.rtrelay.relay.config.KeyDigest;
import dev.rtrelay.relay.config.RelayConfig;
import dev.rtrelay.relay.config.Secret;
import dev.rtrelay.relay.config.VirtualKeyConfig;
import dev.rtrelay.relay.http.RelayException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a presented key into a {@link Principal}. Keys are compared as SHA-256 digests with a constant-time
 * comparison against every candidate, so neither the timing nor the error reveals how close a guess was.
 */
public final class KeyAuthenticator {
  private final Optional<byte[]> masterDigest;
  private final List<VirtualKeyConfig> keys;
  private final Clock clock;
  private final Map<String, List<String>> teamGuardrails;

  public KeyAuthenticator(Optional<Secret> masterKey, List<VirtualKeyConfig> keys, Clock clock,
      Map<String, List<String>> teamGuardrails) {
    this.masterDigest = masterKey.map(k -> KeyDigest.sha256(k.reveal()));
    this.keys = keys;
    this.clock = clock;
    this.teamGuardrails = teamGuardrails;
  }

  public static KeyAuthenticator of(RelayConfig config) {
    return new KeyAuthenticator(config.masterKey(), config.virtualKeys(), Clock.systemUTC(), config.teamGuardrails());
  }

  public Principal authenticate(Optional<String> presented) {
    String key = presented.orElseThrow(() -> RelayException.unauthorized(
        "Missing API key: send 'Authorization: Bearer <key>', an 'api-key' header, or the subprotocol "
            + "'openai-insecure-api-key.<key>' together with 'realtime'"));
    byte[] digest = KeyDigest.sha256(key);
    boolean isMaster = masterDigest.map(m -> KeyDigest.same(m, digest)).orElse(false);
    VirtualKeyConfig match = null;
    for (VirtualKeyConfig candidate : keys) {
      // No early exit: every candidate is compared so timing does not depend on the match position.
      if (KeyDigest.same(candidate.sha256(), digest)) {
        match = candidate;
      }
    }
    if (isMaster) {
      return Principal.master();
    }
    if (match == null) {
      throw RelayException.unauthorized("Invalid API key");
    }
    return principal(match);
  }

  /**
   * The principal of a key identified by alias, for credentials the relay issued itself (WebRTC client secrets):
   * the key must still be configured and unexpired, so revoking a key also revokes its outstanding secrets.
   */
  public Principal byAlias(String alias) {
    if (alias.equals(Principal.master().id()) && masterDigest.isPresent()) {
      return Principal.master();
    }
    VirtualKeyConfig key = keys.stream().filter(k -> k.alias().equals(alias)).findFirst().orElseThrow(() ->
        RelayException.unauthorized("The key this client secret was issued to is no longer configured"));
    return principal(key);
  }

  private Principal principal(VirtualKeyConfig match) {
    if (match.expires().isPresent() && !clock.instant().isBefore(match.expires().get())) {
      throw RelayException.unauthorized("API key '" + match.alias() + "' expired at " + match.expires().get());
    }
    List<String> guardrails = new ArrayList<>(match.guardrails());
    match.teamId().map(t -> teamGuardrails.getOrDefault(t, List.of())).ifPresent(guardrails::addAll);
    return new Principal(match.alias(), match.models(), match.quota(), match.teamId(), match.metadata(),
        List.copyOf(guardrails));
  }
}
