package dev.rtrelay.relay.translate;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Gemini's {@code usageMetadata} in OpenAI's {@code response.usage} shape, modality by modality, so audio tokens are
 * never billed as text. Accepts AI Studio's ({@code responseTokenCount}, {@code responseTokensDetails}) and Vertex's
 * ({@code candidatesTokenCount}, {@code candidatesTokensDetails}) names. Tool-use prompt tokens count as input and
 * thinking tokens as text output, as Google bills them.
 */
final class GeminiUsage {
  private GeminiUsage() {}

  /** @param audioOutput the session answers in audio: output without a modality breakdown is then audio */
  static JsonObject toOpenAi(JsonObject m, boolean audioOutput) {
    long prompt = n(m, "promptTokenCount") + n(m, "toolUsePromptTokenCount");
    long thoughts = n(m, "thoughtsTokenCount");
    long response = (m.containsKey("responseTokenCount") ? n(m, "responseTokenCount") : n(m, "candidatesTokenCount"))
        + thoughts;
    JsonObject in = byModality(m.getJsonArray("promptTokensDetails"));
    add(in, byModality(m.getJsonArray("toolUsePromptTokensDetails")));
    if (sum(in) == 0 && prompt > 0) {
      in.put("text_tokens", prompt);
    }
    JsonObject out = byModality(m.getJsonArray(m.containsKey("responseTokensDetails") ? "responseTokensDetails"
        : "candidatesTokensDetails"));
    out.put("text_tokens", out.getLong("text_tokens") + thoughts);
    if (sum(out) == 0 && response > 0) {
      out.put(audioOutput ? "audio_tokens" : "text_tokens", response);
    }
    long cached = n(m, "cachedContentTokenCount");
    JsonObject inputDetails = new JsonObject().put("text_tokens", in.getLong("text_tokens"))
        .put("audio_tokens", in.getLong("audio_tokens")).put("image_tokens", in.getLong("image_tokens"))
        .put("cached_tokens", cached);
    JsonArray cacheDetails = m.getJsonArray("cacheTokensDetails");
    if (cacheDetails != null) {
      JsonObject c = byModality(cacheDetails);
      inputDetails.put("cached_tokens_details", new JsonObject().put("text_tokens", c.getLong("text_tokens"))
          .put("audio_tokens", c.getLong("audio_tokens")).put("image_tokens", c.getLong("image_tokens")));
    }
    long total = m.containsKey("totalTokenCount") ? n(m, "totalTokenCount") : prompt + response;
    return new JsonObject()
        .put("total_tokens", total)
        .put("input_tokens", prompt)
        .put("output_tokens", response)
        .put("input_token_details", inputDetails)
        .put("output_token_details", new JsonObject().put("text_tokens", out.getLong("text_tokens"))
            .put("audio_tokens", out.getLong("audio_tokens")));
  }

  /** Adds two usage objects in OpenAI shape (standalone usage frames are carried into the next response). */
  static JsonObject plus(JsonObject a, JsonObject b) {
    if (a == null) {
      return b;
    }
    JsonObject sum = a.copy();
    for (String f : new String[] {"total_tokens", "input_tokens", "output_tokens"}) {
      sum.put(f, a.getLong(f, 0L) + b.getLong(f, 0L));
    }
    for (String d : new String[] {"input_token_details", "output_token_details"}) {
      JsonObject x = sum.getJsonObject(d);
      b.getJsonObject(d).forEach(e -> {
        if (e.getValue() instanceof Number v) {
          x.put(e.getKey(), x.getLong(e.getKey(), 0L) + v.longValue());
        }
      });
    }
    return sum;
  }

  private static JsonObject byModality(JsonArray details) {
    JsonObject out = new JsonObject().put("text_tokens", 0L).put("audio_tokens", 0L).put("image_tokens", 0L);
    if (details == null) {
      return out;
    }
    for (Object o : details) {
      if (o instanceof JsonObject d) {
        String field = switch (d.getString("modality", "TEXT")) {
          case "AUDIO" -> "audio_tokens";
          case "IMAGE", "VIDEO" -> "image_tokens";
          default -> "text_tokens";
        };
        out.put(field, out.getLong(field) + n(d, "tokenCount"));
      }
    }
    return out;
  }

  private static void add(JsonObject into, JsonObject more) {
    more.forEach(e -> into.put(e.getKey(), into.getLong(e.getKey()) + (Long) e.getValue()));
  }

  private static long sum(JsonObject o) {
    return o.getLong("text_tokens") + o.getLong("audio_tokens") + o.getLong("image_tokens");
  }

  private static long n(JsonObject o, String field) {
    return o.getValue(field) instanceof Number v ? v.longValue() : 0;
  }
}
