package dev.rtrelay.relay.guardrails;

import io.vertx.core.Future;

/** Holds certain client messages until they are checked (and possibly rewritten) before they reach the model. */
public interface ClientGate {
  /** Whether a client message of this type must pass the gate; every other message is forwarded untouched. */
  boolean wants(String type);

  /** Completes with the message to forward; fails (with {@link GuardrailBlocked} for a block) to refuse it. */
  Future<String> check(String message);
}
