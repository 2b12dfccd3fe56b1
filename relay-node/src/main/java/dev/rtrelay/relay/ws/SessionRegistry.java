package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.limits.KeyLimits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashSet;
import java.util.Set;

/**
 * The live sessions of one relay verticle instance. Used from that instance's event loop only, so a plain set is
 * enough; one periodic timer per instance pings them all instead of one timer per session.
 */
public final class SessionRegistry {
  private final Set<LiveSession> sessions = new HashSet<>();
  private Promise<Void> emptied;

  void add(LiveSession session) {
    sessions.add(session);
  }

  void remove(LiveSession session) {
    sessions.remove(session);
    if (sessions.isEmpty() && emptied != null) {
      Promise<Void> p = emptied;
      emptied = null;
      p.complete();
    }
  }

  /** Completes when no session is left (at once if none is open). */
  public Future<Void> whenEmpty() {
    if (sessions.isEmpty()) {
      return Future.succeededFuture();
    }
    if (emptied == null) {
      emptied = Promise.promise();
    }
    return emptied.future();
  }

  public int size() {
    return sessions.size();
  }

  /** Closes every session with 1001 so clients reconnect elsewhere (they auto-reconnect on 1001). */
  public void closeAll(String reason) {
    for (LiveSession s : Set.copyOf(sessions)) {
      s.close(CloseCodes.GOING_AWAY, reason);
    }
  }

  /** Ends every session of a key that has used its budget: an error event the SDKs surface, then 1008. */
  /** @param keyId a key alias, or {@link KeyLimits#teamEntry} of a team: every session of the team's keys */
  public void closeKeyOverBudget(String keyId) {
    if (keyId.startsWith(KeyLimits.TEAM_PREFIX)) {
      String team = keyId.substring(KeyLimits.TEAM_PREFIX.length());
      for (LiveSession s : Set.copyOf(sessions)) {
        if (s.teamId().equals(java.util.Optional.of(team))) {
          s.closeWithError("budget_exceeded", "Team '" + team + "' has used its budget (max_budget); this session is "
              + "closed and new sessions are refused until the budget period resets", CloseCodes.POLICY_VIOLATION,
              "budget exceeded");
        }
      }
      return;
    }
    for (LiveSession s : Set.copyOf(sessions)) {
      if (s.keyId().equals(keyId)) {
        s.closeWithError("budget_exceeded", "Key '" + keyId + "' has used its budget (max_budget); this session is "
            + "closed and new sessions are refused until the budget period resets", CloseCodes.POLICY_VIOLATION,
            "budget exceeded");
      }
    }
  }

  public void pingAll() {
    for (LiveSession s : sessions) {
      s.ping();
    }
  }
}
