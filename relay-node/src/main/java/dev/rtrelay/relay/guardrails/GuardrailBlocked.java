package dev.rtrelay.relay.guardrails;

/** A guardrail refused a message; carries what the client and the records may know (never the text). */
public final class GuardrailBlocked extends RuntimeException {
  private final String guardrail;
  private final GuardrailMode mode;
  private final String category;

  public GuardrailBlocked(String guardrail, GuardrailMode mode, String reason, String category) {
    super(reason, null, false, false);
    this.guardrail = guardrail;
    this.mode = mode;
    this.category = category;
  }

  public String guardrail() {
    return guardrail;
  }

  public GuardrailMode mode() {
    return mode;
  }

  public String category() {
    return category;
  }
}
