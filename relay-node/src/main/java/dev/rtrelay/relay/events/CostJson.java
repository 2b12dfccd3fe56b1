package dev.rtrelay.relay.events;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.rtrelay.relay.cost.ResponseCost;
import dev.rtrelay.relay.cost.ResponseUsage;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Writes usage and cost into envelopes. USD amounts are JSON numbers in plain decimal notation with every digit
 * kept (e.g. {@code 0.0004224}), so a consumer that parses them as decimals gets the exact figure.
 */
final class CostJson {
  private CostJson() {}

  static void writeUsage(JsonGenerator g, ResponseUsage u) throws IOException {
    g.writeObjectFieldStart("usage");
    writeUsageFields(g, u);
    g.writeEndObject();
  }

  static void writeUsageFields(JsonGenerator g, ResponseUsage u) throws IOException {
    g.writeNumberField("input_tokens", u.inputTokens());
    g.writeNumberField("output_tokens", u.outputTokens());
    g.writeNumberField("total_tokens", u.totalTokens());
    g.writeNumberField("cached_tokens", u.cachedTokens());
    g.writeNumberField("input_text_tokens", u.inputTextTokens());
    g.writeNumberField("input_audio_tokens", u.inputAudioTokens());
    g.writeNumberField("input_image_tokens", u.inputImageTokens());
    g.writeNumberField("cached_text_tokens", u.cachedTextTokens());
    g.writeNumberField("cached_audio_tokens", u.cachedAudioTokens());
    g.writeNumberField("cached_image_tokens", u.cachedImageTokens());
    g.writeNumberField("output_text_tokens", u.outputTextTokens());
    g.writeNumberField("output_audio_tokens", u.outputAudioTokens());
  }

  /** {@code "cost": null} when the deployment has no known prices, else the lines and their total. */
  static void writeCost(JsonGenerator g, Optional<ResponseCost> cost) throws IOException {
    if (cost.isEmpty()) {
      g.writeNullField("cost");
      return;
    }
    ResponseCost c = cost.get();
    g.writeObjectFieldStart("cost");
    g.writeStringField("currency", "USD");
    decimalField(g, "total", c.total());
    decimalField(g, "input_text", c.inputText());
    decimalField(g, "input_audio", c.inputAudio());
    decimalField(g, "input_image", c.inputImage());
    decimalField(g, "cached_input", c.cachedInput());
    decimalField(g, "output_text", c.outputText());
    decimalField(g, "output_audio", c.outputAudio());
    g.writeEndObject();
  }

  static void writeDecimal(JsonGenerator g, BigDecimal value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else {
      g.writeNumber(plain(value));
    }
  }

  static String plain(BigDecimal value) {
    return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
  }

  private static void decimalField(JsonGenerator g, String name, BigDecimal value) throws IOException {
    g.writeFieldName(name);
    writeDecimal(g, value);
  }
}
