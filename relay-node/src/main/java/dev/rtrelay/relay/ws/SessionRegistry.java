package dev.rtrelay.relay.ws;

import java.util.HashSet;
import java.util.Set;

/**
 * The live sessions of one relay verticle instance. Used from that instance's event loop only, so a plain set is
 * enough; one periodic timer per instance pings them all instead of one timer per session.
 */
public final class SessionRegistry {
  private final Set<RelaySession> sessions = new HashSet<>();

  void add(RelaySession session) {
    sessions.add(session);
  }

  void remove(RelaySession session) {
    sessions.remove(session);
  }

  public int size() {
    return sessions.size();
  }

  /** Closes every session with 1001 so clients reconnect elsewhere (they auto-reconnect on 1001). */
  public void closeAll(String reason) {
    for (RelaySession s : Set.copyOf(sessions)) {
      s.close(CloseCodes.GOING_AWAY, reason);
    }
  }

  public void pingAll() {
    for (RelaySession s : sessions) {
      s.ping();
    }
  }
}
