package dev.rtrelay.relay.limits;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * Where keys' spend is checkpointed beyond the cluster's memory, so that a budget survives a restart of every node at
 * once (the cluster map is then empty). {@link KeyLimits} seeds a key's entry from its last checkpoint when the map has
 * none, and reports the spend after every change it made.
 */
public interface SpendLedger {
  /** A key's spend in a budget period. @param window the period's start (epoch ms), null without a period */
  record Checkpoint(Long window, BigDecimal spend) {
    /** Whether this checkpoint says more than {@code other}: a later period, or more spend in the same one. */
    public boolean after(Checkpoint other) {
      if (other == null) {
        return true;
      }
      long mine = window == null ? Long.MIN_VALUE : window;
      long theirs = other.window == null ? Long.MIN_VALUE : other.window;
      return mine > theirs || (mine == theirs && spend.compareTo(other.spend) > 0);
    }
  }

  /** The last checkpoint of a key, for an entry the cluster no longer has. */
  Optional<Checkpoint> last(String keyId);

  /** The key's spend as the cluster holds it after a change; called on event loops, must not block. */
  void observed(String keyId, Checkpoint now);

  SpendLedger NONE = new SpendLedger() {
    @Override
    public Optional<Checkpoint> last(String keyId) {
      return Optional.empty();
    }

    @Override
    public void observed(String keyId, Checkpoint now) {}
  };
}
