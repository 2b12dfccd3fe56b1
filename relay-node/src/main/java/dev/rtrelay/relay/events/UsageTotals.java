package dev.rtrelay.relay.events;

import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.json.JsonObject;
import java.io.IOException;

/**
 * Token usage summed over every {@code response.done} of a session. Reads both {@code input_token_details} (the
 * realtime spelling) and {@code input_tokens_details} (the Responses API spelling some providers echo), because
 * confusing the two is how audio tokens end up billed as text.
 */
final class UsageTotals {
  private long responses;
  private long inputTokens;
  private long outputTokens;
  private long totalTokens;
  private long cachedTokens;
  private long inputTextTokens;
  private long inputAudioTokens;
  private long outputTextTokens;
  private long outputAudioTokens;

  void add(JsonObject responseDone) {
    JsonObject response = responseDone.getJsonObject("response");
    JsonObject usage = response == null ? null : response.getJsonObject("usage");
    if (usage == null) {
      return;
    }
    responses++;
    inputTokens += number(usage, "input_tokens");
    outputTokens += number(usage, "output_tokens");
    totalTokens += number(usage, "total_tokens");
    JsonObject in = details(usage, "input_token_details", "input_tokens_details");
    JsonObject out = details(usage, "output_token_details", "output_tokens_details");
    cachedTokens += number(in, "cached_tokens");
    inputTextTokens += number(in, "text_tokens");
    inputAudioTokens += number(in, "audio_tokens");
    outputTextTokens += number(out, "text_tokens");
    outputAudioTokens += number(out, "audio_tokens");
  }

  private static JsonObject details(JsonObject usage, String name, String alternative) {
    Object v = usage.getValue(name);
    if (!(v instanceof JsonObject)) {
      v = usage.getValue(alternative);
    }
    return v instanceof JsonObject o ? o : new JsonObject();
  }

  private static long number(JsonObject o, String field) {
    return o.getValue(field) instanceof Number n ? n.longValue() : 0;
  }

  void write(JsonGenerator g) throws IOException {
    g.writeObjectFieldStart("usage");
    g.writeNumberField("responses", responses);
    g.writeNumberField("input_tokens", inputTokens);
    g.writeNumberField("output_tokens", outputTokens);
    g.writeNumberField("total_tokens", totalTokens);
    g.writeNumberField("cached_tokens", cachedTokens);
    g.writeNumberField("input_text_tokens", inputTextTokens);
    g.writeNumberField("input_audio_tokens", inputAudioTokens);
    g.writeNumberField("output_text_tokens", outputTextTokens);
    g.writeNumberField("output_audio_tokens", outputAudioTokens);
    g.writeEndObject();
  }
}
