package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.events.SessionEventLog;
import dev.rtrelay.relay.guardrails.GuardrailBlocked;
import dev.rtrelay.relay.guardrails.GuardrailStats;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What any session does when a guardrail blocked a message, before it closes: log, count, record, tell. */
final class GuardrailBlocks {
  private static final Logger LOG = LoggerFactory.getLogger(GuardrailBlocks.class);

  private GuardrailBlocks() {}

  /**
   * Logs and records which guardrail blocked, in which mode and on which rule (never the blocked text).
   *
   * @param eventLog null when logging is off
   * @return LiteLLM's guardrail error event for the client
   */
  static JsonObject recorded(String sessionId, GuardrailBlocked blocked, GuardrailStats stats,
      SessionEventLog eventLog) {
    LOG.warn("session {}: guardrail '{}' ({}) blocked a message [{}]", sessionId, blocked.guardrail(),
        blocked.mode().configName(), blocked.category());
    stats.blocked(blocked.guardrail(), blocked.mode());
    if (eventLog != null) {
      eventLog.guardrailBlocked(blocked.guardrail(), blocked.mode().configName(), blocked.category());
    }
    return ClientErrors.event("guardrail_error", null, "Guardrail blocked this request: " + blocked.getMessage());
  }
}
