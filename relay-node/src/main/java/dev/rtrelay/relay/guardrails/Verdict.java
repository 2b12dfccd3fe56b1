package dev.rtrelay.relay.guardrails;

/**
 * A guardrail's decision on one text.
 *
 * @param reason for a block: the client-facing reason (names the rule, never quotes the blocked text)
 * @param category the rule that decided (pattern, keyword or category name), for records and metrics
 * @param text for a rewrite: the text to forward instead
 */
public record Verdict(Kind kind, String reason, String category, String text) {
  public enum Kind { ALLOW, BLOCK, REWRITE }

  public static final Verdict ALLOW = new Verdict(Kind.ALLOW, null, null, null);

  public static Verdict block(String reason, String category) {
    return new Verdict(Kind.BLOCK, reason, category, null);
  }

  public static Verdict rewrite(String text, String category) {
    return new Verdict(Kind.REWRITE, null, category, text);
  }
}
