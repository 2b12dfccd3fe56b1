package dev.rtrelay.relay.guardrails;

import java.util.Optional;

/**
 * What a guardrail may know about the text it checks: the session and who it belongs to, never the key itself.
 *
 * @param mode where in the session the text was seen
 */
public record CheckContext(String sessionId, String model, String keyAlias, Optional<String> teamId,
    GuardrailMode mode) {

  public CheckContext withMode(GuardrailMode newMode) {
    return new CheckContext(sessionId, model, keyAlias, teamId, newMode);
  }
}
