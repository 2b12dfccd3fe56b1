package dev.rtrelay.relay.keys;

/**
 * One change to the runtime keys and teams: what the management API makes, what a store keeps and what every node
 * applies, in the store's order.
 */
public sealed interface KeyChange {
  /** The store's record key: one per key (by token) and per team, so a compacted topic keeps the latest of each. */
  String recordKey();

  record PutKey(StoredKey key) implements KeyChange {
    @Override
    public String recordKey() {
      return "key:" + key.token();
    }
  }

  record RemoveKey(String token) implements KeyChange {
    @Override
    public String recordKey() {
      return "key:" + token;
    }
  }

  record PutTeam(RuntimeTeam team) implements KeyChange {
    @Override
    public String recordKey() {
      return "team:" + team.teamId();
    }
  }

  record RemoveTeam(String teamId) implements KeyChange {
    @Override
    public String recordKey() {
      return "team:" + teamId;
    }
  }
}
