package dev.rtrelay.relay.guardrails;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Set;

/**
 * One configured guardrail ({@code guardrails[]} in config). Checks are asynchronous so remote guardrails fit the
 * same interface; local ones answer with a completed future.
 */
public interface Guardrail {
  String name();

  Set<GuardrailMode> modes();

  /** Runs for every session whether or not a key, team or request names it. */
  boolean defaultOn();

  Future<Verdict> check(String text, CheckContext context);

  /** Strict during_call: the model's answer to a spoken turn waits until the transcript passed this guardrail. */
  default boolean holdsResponse() {
    return false;
  }

  /** Called once at node start: guardrails that talk to a service create their clients here. */
  default Guardrail bind(Vertx vertx) {
    return this;
  }

  /**
   * Whether this bound guardrail can stand for {@code configured} (the same entry of a reloaded config, not yet
   * bound): a config reload keeps a guardrail whose entry did not change, with its connections, instead of binding
   * it again. Guardrails that hold nothing are simply bound again.
   */
  default boolean sameAs(Guardrail configured) {
    return false;
  }
}
