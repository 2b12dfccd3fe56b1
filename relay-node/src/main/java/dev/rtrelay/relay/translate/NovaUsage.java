package dev.rtrelay.relay.translate;

import io.vertx.core.json.JsonObject;

/**
 * Nova Sonic's {@code usageEvent}s are running totals for the stream; each OpenAI {@code response.done} carries what
 * was used since the previous one, speech and text apart, so the responses of a session add up to Nova's last
 * total exactly. A renewed stream counts from zero again: what the old one used after its last response is carried
 * into the next.
 */
final class NovaUsage {
  private final long[] total = new long[4];
  private final long[] billed = new long[4];
  private final long[] carried = new long[4];
  private static final int IN_TEXT = 0;
  private static final int IN_SPEECH = 1;
  private static final int OUT_TEXT = 2;
  private static final int OUT_SPEECH = 3;

  /** One usageEvent: its {@code details.total}, or the plain totals (as text) when details are missing. */
  void record(JsonObject usage) {
    JsonObject t = usage.getJsonObject("details", new JsonObject()).getJsonObject("total");
    if (t != null) {
      JsonObject in = t.getJsonObject("input", new JsonObject());
      JsonObject out = t.getJsonObject("output", new JsonObject());
      set(IN_TEXT, n(in, "textTokens"));
      set(IN_SPEECH, n(in, "speechTokens"));
      set(OUT_TEXT, n(out, "textTokens"));
      set(OUT_SPEECH, n(out, "speechTokens"));
    } else {
      set(IN_TEXT, n(usage, "totalInputTokens"));
      set(OUT_TEXT, n(usage, "totalOutputTokens"));
    }
  }

  /** Usage since the last call in OpenAI's shape, or null when nothing was used. */
  JsonObject takeDelta() {
    long[] d = new long[4];
    long sum = 0;
    for (int i = 0; i < 4; i++) {
      d[i] = total[i] - billed[i] + carried[i];
      billed[i] = total[i];
      carried[i] = 0;
      sum += d[i];
    }
    if (sum == 0) {
      return null;
    }
    long input = d[IN_TEXT] + d[IN_SPEECH];
    long output = d[OUT_TEXT] + d[OUT_SPEECH];
    return new JsonObject().put("total_tokens", input + output).put("input_tokens", input).put("output_tokens", output)
        .put("input_token_details", new JsonObject().put("text_tokens", d[IN_TEXT])
            .put("audio_tokens", d[IN_SPEECH]).put("cached_tokens", 0L))
        .put("output_token_details", new JsonObject().put("text_tokens", d[OUT_TEXT])
            .put("audio_tokens", d[OUT_SPEECH]));
  }

  /** The stream is being replaced: its unbilled usage waits for the next response, and counting restarts. */
  void streamRenewed() {
    for (int i = 0; i < 4; i++) {
      carried[i] += total[i] - billed[i];
      total[i] = 0;
      billed[i] = 0;
    }
  }

  private void set(int i, long value) {
    // Totals only grow; an out-of-order event never takes back usage already counted.
    total[i] = Math.max(total[i], value);
  }

  private static long n(JsonObject o, String field) {
    return o.getValue(field) instanceof Number v ? v.longValue() : 0;
  }
}
