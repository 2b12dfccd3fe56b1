package dev.rtrelay.relay.simulated;

import io.vertx.core.json.JsonObject;

/**
 * Per-session token accounting that behaves like the real thing where relays care: every response re-reads
 * the whole conversation as input (so input grows turn by turn), the prefix seen by the previous response
 * counts as cached, and the totals always add up. The numbers are deterministic so tests can rely on them.
 */
final class UsageMeter {
  /** Roughly what the real API bills: 10 audio tokens per second of 24 kHz PCM16 (48,000 bytes). */
  static final long AUDIO_BYTES_PER_SECOND = 48_000;
  static final long AUDIO_TOKENS_PER_SECOND = 10;

  private long conversationTextTokens;
  private long conversationAudioTokens;
  private long previousInputTokens;

  void addText(String text) {
    conversationTextTokens += textTokens(text);
  }

  void addAudio(long bytes) {
    conversationAudioTokens += audioTokens(bytes);
  }

  /**
   * Bills one response and then appends its output to the conversation, so the next response pays for it
   * as input.
   */
  JsonObject bill(String instructions, String outputText, long outputAudioBytes) {
    long inputText = textTokens(instructions) + conversationTextTokens;
    long inputAudio = conversationAudioTokens;
    long input = inputText + inputAudio;
    long cached = Math.min(previousInputTokens, input);
    long outputTextTokens = textTokens(outputText);
    long outputAudioTokens = audioTokens(outputAudioBytes);
    long output = outputTextTokens + outputAudioTokens;

    previousInputTokens = input;
    conversationTextTokens += outputTextTokens;
    conversationAudioTokens += outputAudioTokens;

    return new JsonObject()
        .put("total_tokens", input + output)
        .put("input_tokens", input)
        .put("output_tokens", output)
        .put("input_token_details", new JsonObject()
            .put("cached_tokens", cached)
            .put("text_tokens", inputText)
            .put("audio_tokens", inputAudio))
        .put("output_token_details", new JsonObject()
            .put("text_tokens", outputTextTokens)
            .put("audio_tokens", outputAudioTokens));
  }

  /** One token per whitespace-separated word: crude, but monotonic and easy to predict in tests. */
  static long textTokens(String text) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    return text.trim().split("\\s+").length;
  }

  static long audioTokens(long bytes) {
    if (bytes <= 0) {
      return 0;
    }
    long perSecond = AUDIO_BYTES_PER_SECOND;
    return (bytes * AUDIO_TOKENS_PER_SECOND + perSecond - 1) / perSecond;
  }
}
