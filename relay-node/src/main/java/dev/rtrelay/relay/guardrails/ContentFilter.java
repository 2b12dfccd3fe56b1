package dev.rtrelay.relay.guardrails;

import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LiteLLM's {@code litellm_content_filter}: regular expressions (prebuilt or custom) and blocked words, each with
 * action BLOCK or MASK, applied in LiteLLM's order (patterns in config order, then keywords). Case-insensitive;
 * keywords match as substrings. Runs in-process, no external service.
 */
final class ContentFilter extends ConfiguredGuardrail {
  enum Action { BLOCK, MASK }

  record Rule(String name, Pattern pattern, Action action, boolean keyword, String description) {}

  private final List<Rule> rules;
  private final String patternRedactionFormat;
  private final String keywordRedactionTag;

  ContentFilter(String name, Set<GuardrailMode> modes, boolean defaultOn, List<Rule> rules,
      String patternRedactionFormat, String keywordRedactionTag) {
    super(name, modes, defaultOn);
    this.rules = rules;
    this.patternRedactionFormat = patternRedactionFormat;
    this.keywordRedactionTag = keywordRedactionTag;
  }

  @Override
  public Future<Verdict> check(String text, CheckContext context) {
    return Future.succeededFuture(evaluate(text));
  }

  Verdict evaluate(String text) {
    String current = text;
    String masked = null;
    for (Rule rule : rules) {
      Matcher m = rule.pattern().matcher(current);
      if (!m.find()) {
        continue;
      }
      if (rule.action() == Action.BLOCK) {
        return Verdict.block(reason(rule), rule.name());
      }
      String tag = rule.keyword() ? keywordRedactionTag
          : patternRedactionFormat.replace("{pattern_name}", rule.name().toUpperCase(Locale.ROOT));
      current = m.replaceAll(Matcher.quoteReplacement(tag));
      masked = masked == null ? rule.name() : masked;
    }
    return masked == null ? Verdict.ALLOW : Verdict.rewrite(current, masked);
  }

  /** LiteLLM's wording, so clients see the same messages; never quotes the user's text. */
  private static String reason(Rule rule) {
    if (rule.keyword()) {
      return "Content blocked: keyword '" + rule.name() + "' detected"
          + (rule.description() == null ? "" : " (" + rule.description() + ")");
    }
    return "Content blocked: " + rule.name() + " pattern detected";
  }
}
