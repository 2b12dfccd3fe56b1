package dev.rtrelay.relay.guardrails;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Set;

/**
 * A during_call guardrail in strict mode ({@code hold_response_until_checked: true}): the model does not answer a
 * spoken turn until its transcript passed. Wraps any guardrail type.
 */
final class HoldingGuardrail implements Guardrail {
  private final Guardrail delegate;

  HoldingGuardrail(Guardrail delegate) {
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Set<GuardrailMode> modes() {
    return delegate.modes();
  }

  @Override
  public boolean defaultOn() {
    return delegate.defaultOn();
  }

  @Override
  public boolean holdsResponse() {
    return true;
  }

  @Override
  public Future<Verdict> check(String text, CheckContext context) {
    return delegate.check(text, context);
  }

  @Override
  public Guardrail bind(Vertx vertx) {
    return new HoldingGuardrail(delegate.bind(vertx));
  }
}
