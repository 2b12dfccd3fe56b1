package dev.rtrelay.relay.auth;

import dev.rtrelay.relay.config.KeyDigest;
import dev.rtrelay.relay.config.KeyQuota;
import dev.rtrelay.relay.config.RelayConfig;
import dev.rtrelay.relay.config.Secret;
import dev.rtrelay.relay.config.VirtualKeyConfig;
import dev.rtrelay.relay.http.RelayException;
import dev.rtrelay.relay.keys.RuntimeKeys;
import dev.rtrelay.relay.keys.RuntimeTeam;
import dev.rtrelay.relay.keys.StoredKey;
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
  private final Clock clock;
  /** Keys and teams made through the management API; those of the config win on conflict. */
  private final RuntimeKeys runtime;
  /** Replaced as a whole by a config reload, so one check never sees half of the old keys and half of the new. */
  private volatile Keys keys;

  /** The keys in force: the master key's digest, the virtual keys and the teams' guardrails. */
  private record Keys(Optional<byte[]> masterDigest, List<VirtualKeyConfig> virtualKeys,
      Map<String, List<String>> teamGuardrails, Map<String, KeyQuota> teamQuotas) {
    static Keys of(Optional<Secret> masterKey, List<VirtualKeyConfig> keys, Map<String, List<String>> teams,
        Map<String, KeyQuota> teamQuotas) {
      return new Keys(masterKey.map(k -> KeyDigest.sha256(k.reveal())), List.copyOf(keys), Map.copyOf(teams),
          Map.copyOf(teamQuotas));
    }
  }

  public KeyAuthenticator(Optional<Secret> masterKey, List<VirtualKeyConfig> keys, Clock clock,
      Map<String, List<String>> teamGuardrails) {
    this(masterKey, keys, clock, teamGuardrails, new RuntimeKeys());
  }

  private KeyAuthenticator(Optional<Secret> masterKey, List<VirtualKeyConfig> keys, Clock clock,
      Map<String, List<String>> teamGuardrails, RuntimeKeys runtime) {
    this.keys = Keys.of(masterKey, keys, teamGuardrails, Map.of());
    this.clock = clock;
    this.runtime = runtime;
  }

  public static KeyAuthenticator of(RelayConfig config) {
    return of(config, new RuntimeKeys());
  }

  /** @param runtime the keys and teams of the management API (its store's) */
  public static KeyAuthenticator of(RelayConfig config, RuntimeKeys runtime) {
    KeyAuthenticator authenticator = new KeyAuthenticator(config.masterKey(), config.virtualKeys(), Clock.systemUTC(),
        config.teamGuardrails(), runtime);
    authenticator.replace(config);
    return authenticator;
  }

  /**
   * The keys of a reloaded config, for every check from now on. Sessions already admitted keep going; a WebRTC client
   * secret issued to a key that is gone is refused at its next use ({@link #byAlias}).
   */
  public void replace(RelayConfig config) {
    keys = Keys.of(config.masterKey(), config.virtualKeys(), config.teamGuardrails(), config.teamQuotas());
  }

  /** The keys and teams of the management API. */
  public RuntimeKeys runtimeKeys() {
    return runtime;
  }

  /** The config's virtual keys in force now. */
  public List<VirtualKeyConfig> configKeys() {
    return keys.virtualKeys();
  }

  /** Whether the config (in force now) declares this team. */
  public boolean configTeam(String teamId) {
    return keys.teamGuardrails().containsKey(teamId);
  }

  /** The config's teams in force now, with their guardrails. */
  public Map<String, List<String>> configTeams() {
    return keys.teamGuardrails();
  }

  /** A config team's own limits. */
  public KeyQuota configTeamQuota(String teamId) {
    return keys.teamQuotas().getOrDefault(teamId, KeyQuota.NONE);
  }

  /** Whether this digest is the master key's or a config key's: a key the API must not make again. */
  public boolean configured(byte[] digest) {
    Keys keys = this.keys;
    boolean found = keys.masterDigest().map(m -> KeyDigest.same(m, digest)).orElse(false);
    for (VirtualKeyConfig candidate : keys.virtualKeys()) {
      found |= KeyDigest.same(candidate.sha256(), digest);
    }
    return found;
  }

  public Principal authenticate(Optional<String> presented) {
    String key = presented.orElseThrow(() -> RelayException.unauthorized(
        "Missing API key: send 'Authorization: Bearer <key>', an 'api-key' header, or the subprotocol "
            + "'openai-insecure-api-key.<key>' together with 'realtime'"));
    byte[] digest = KeyDigest.sha256(key);
    Keys keys = this.keys;
    boolean isMaster = keys.masterDigest().map(m -> KeyDigest.same(m, digest)).orElse(false);
    VirtualKeyConfig match = null;
    for (VirtualKeyConfig candidate : keys.virtualKeys()) {
      // No early exit: every candidate is compared so timing does not depend on the match position.
      if (KeyDigest.same(candidate.sha256(), digest)) {
        match = candidate;
      }
    }
    if (isMaster) {
      return Principal.master();
    }
    if (match == null) {
      match = runtime.byDigest(digest).map(StoredKey::config).orElseThrow(() ->
          RelayException.unauthorized("Invalid API key"));
    }
    return principal(match, keys);
  }

  /**
   * The principal of a key identified by alias, for credentials the relay issued itself (WebRTC client secrets):
   * the key must still be configured and unexpired, so revoking a key also revokes its outstanding secrets.
   */
  public Principal byAlias(String alias) {
    Keys keys = this.keys;
    if (alias.equals(Principal.master().id()) && keys.masterDigest().isPresent()) {
      return Principal.master();
    }
    VirtualKeyConfig key = keys.virtualKeys().stream().filter(k -> k.alias().equals(alias)).findFirst()
        .or(() -> runtime.byAlias(alias).map(StoredKey::config)).orElseThrow(() ->
            RelayException.unauthorized("The key this client secret was issued to is no longer configured"));
    return principal(key, keys);
  }

  private Principal principal(VirtualKeyConfig match, Keys keys) {
    if (match.expires().isPresent() && !clock.instant().isBefore(match.expires().get())) {
      throw RelayException.unauthorized("API key '" + match.alias() + "' expired at " + match.expires().get());
    }
    List<String> guardrails = new ArrayList<>(match.guardrails());
    match.teamId().map(t -> keys.teamGuardrails().containsKey(t) ? keys.teamGuardrails().get(t)
        : runtime.team(t).map(RuntimeTeam::guardrails).orElse(List.of())).ifPresent(guardrails::addAll);
    KeyQuota teamQuota = match.teamId().map(t -> keys.teamGuardrails().containsKey(t)
        ? keys.teamQuotas().getOrDefault(t, KeyQuota.NONE)
        : runtime.team(t).map(RuntimeTeam::quota).orElse(KeyQuota.NONE)).orElse(KeyQuota.NONE);
    return new Principal(match.alias(), match.models(), match.quota(), match.teamId(), match.metadata(),
        List.copyOf(guardrails), teamQuota);
  }
}
