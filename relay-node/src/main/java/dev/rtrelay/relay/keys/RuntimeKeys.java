package dev.rtrelay.relay.keys;

import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keys and teams made at runtime through the management API, next to those of {@code config.yaml}. A lookup is one
 * hash-map read by the key's SHA-256 (the key itself is never kept), so any number of keys costs the same per
 * connection.
 *
 * <p>Held in this node's memory: lost on restart and not seen by other relay nodes until a durable store backs it.
 */
public final class RuntimeKeys {
  private final ConcurrentHashMap<String, StoredKey> byToken = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, RuntimeTeam> teams = new ConcurrentHashMap<>();

  public Optional<StoredKey> byDigest(byte[] sha256) {
    return Optional.ofNullable(byToken.get(HexFormat.of().formatHex(sha256)));
  }

  public Optional<StoredKey> byToken(String token) {
    return Optional.ofNullable(byToken.get(token));
  }

  public Optional<StoredKey> byAlias(String alias) {
    return byToken.values().stream().filter(k -> k.config().alias().equals(alias)).findFirst();
  }

  /** Every key, oldest first. */
  public List<StoredKey> keys() {
    return byToken.values().stream().sorted(java.util.Comparator.comparing(StoredKey::createdAt)
        .thenComparing(StoredKey::token)).toList();
  }

  public void put(StoredKey key) {
    byToken.put(key.token(), key);
  }

  public void remove(String token) {
    byToken.remove(token);
  }

  public Optional<RuntimeTeam> team(String teamId) {
    return Optional.ofNullable(teams.get(teamId));
  }

  public Collection<RuntimeTeam> teams() {
    return teams.values().stream().sorted(java.util.Comparator.comparing(RuntimeTeam::createdAt)
        .thenComparing(RuntimeTeam::teamId)).toList();
  }

  public void putTeam(RuntimeTeam team) {
    teams.put(team.teamId(), team);
  }

  public void removeTeam(String teamId) {
    teams.remove(teamId);
  }
}
