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
 * <p>Changed only through {@link #apply}, in the order of the {@link KeyStore} that holds them, so every node sharing
 * a store ends with the same keys.
 */
public final class RuntimeKeys {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RuntimeKeys.class);
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

  /**
   * Applies one change. Aliases stay unique: a key whose alias another key already holds is ignored (two nodes that
   * made the same alias at once: the first in the store's order keeps it, the other's request is answered 409).
   *
   * @return whether the change was applied
   */
  public synchronized boolean apply(KeyChange change) {
    if (change instanceof KeyChange.PutKey put) {
      StoredKey key = put.key();
      Optional<StoredKey> holder = byAlias(key.config().alias());
      if (holder.isPresent() && !holder.get().token().equals(key.token())) {
        LOG.warn("runtime key {}: alias '{}' is already held by key {}; ignored", key.token().substring(0, 12),
            key.config().alias(), holder.get().token().substring(0, 12));
        return false;
      }
      byToken.put(key.token(), key);
    } else if (change instanceof KeyChange.RemoveKey remove) {
      byToken.remove(remove.token());
    } else if (change instanceof KeyChange.PutTeam put) {
      teams.put(put.team().teamId(), put.team());
    } else if (change instanceof KeyChange.RemoveTeam remove) {
      teams.remove(remove.teamId());
    }
    return true;
  }

  public Optional<RuntimeTeam> team(String teamId) {
    return Optional.ofNullable(teams.get(teamId));
  }

  public Collection<RuntimeTeam> teams() {
    return teams.values().stream().sorted(java.util.Comparator.comparing(RuntimeTeam::createdAt)
        .thenComparing(RuntimeTeam::teamId)).toList();
  }

}
