package dev.rtrelay.relay.guardrails;

import java.util.Locale;
import java.util.Optional;

/** When a guardrail runs, in LiteLLM's names. */
public enum GuardrailMode {
  /** On the client's text before it reaches the model. */
  PRE_CALL,
  /** On the user's transcribed speech ({@code realtime_input_transcription} is LiteLLM's realtime name for it). */
  DURING_CALL,
  /** On the model's output text and transcripts. */
  POST_CALL;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Optional<GuardrailMode> parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "pre_call" -> Optional.of(PRE_CALL);
      case "during_call", "realtime_input_transcription" -> Optional.of(DURING_CALL);
      case "post_call" -> Optional.of(POST_CALL);
      default -> Optional.empty();
    };
  }
}
