package dev.rtrelay.relay.translate;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads an OpenAI Realtime session configuration the way both protocol versions write it: GA
 * ({@code output_modalities}, {@code audio.input.format}, {@code audio.output.voice}, {@code max_output_tokens}) and
 * beta ({@code modalities}, {@code input_audio_format}, {@code voice}, {@code max_response_output_tokens}).
 */
final class SessionFields {
  /** How the client's input audio is encoded. */
  enum InputAudio { PCM16_24K, G711_ULAW, G711_ALAW }

  private SessionFields() {}

  static boolean audioOutput(JsonObject session) {
    JsonArray modalities = session.getJsonArray("output_modalities",
        session.getJsonArray("modalities", new JsonArray().add("audio")));
    return modalities.contains("audio");
  }

  static Optional<String> voice(JsonObject session) {
    JsonObject output = session.getJsonObject("audio", new JsonObject()).getJsonObject("output", new JsonObject());
    return Optional.ofNullable(session.getString("voice", output.getString("voice")));
  }

  static Optional<Number> maxOutputTokens(JsonObject session) {
    Object max = session.getValue("max_output_tokens", session.getValue("max_response_output_tokens"));
    return max instanceof Number n ? Optional.of(n) : Optional.empty();
  }

  static String instructions(JsonObject session) {
    return session.getString("instructions", "");
  }

  static InputAudio inputAudio(JsonObject session) {
    JsonObject input = session.getJsonObject("audio", new JsonObject()).getJsonObject("input", new JsonObject());
    String format = input.getValue("format") instanceof JsonObject f ? f.getString("type", "")
        : session.getString("input_audio_format", "");
    return switch (format) {
      case "audio/pcmu", "g711_ulaw" -> InputAudio.G711_ULAW;
      case "audio/pcma", "g711_alaw" -> InputAudio.G711_ALAW;
      default -> InputAudio.PCM16_24K;
    };
  }

  /** The output format the client asked for, when it is not 24 kHz PCM16 (e.g. {@code audio/pcmu}). */
  static Optional<String> otherOutputFormat(JsonObject session) {
    JsonObject output = session.getJsonObject("audio", new JsonObject()).getJsonObject("output", new JsonObject());
    String format = output.getValue("format") instanceof JsonObject f ? f.getString("type", "")
        : session.getString("output_audio_format", "");
    return format.isEmpty() || format.equals("audio/pcm") || format.equals("pcm16") ? Optional.empty()
        : Optional.of(format);
  }

  /** Function tools as {name, description, parameters}, from GA's flat shape or Chat Completions' nested one. */
  static List<JsonObject> functionTools(JsonObject session) {
    List<JsonObject> tools = new ArrayList<>();
    for (Object t : session.getJsonArray("tools", new JsonArray())) {
      if (t instanceof JsonObject tool && "function".equals(tool.getString("type"))) {
        JsonObject f = tool.getJsonObject("function", tool);
        tools.add(new JsonObject().put("name", f.getString("name")).put("description", f.getString("description", ""))
            .put("parameters", f.getValue("parameters")));
      }
    }
    return tools;
  }

  /** Concatenated text of a message item's content parts. */
  static String itemText(JsonObject item) {
    StringBuilder text = new StringBuilder();
    for (Object c : item.getJsonArray("content", new JsonArray())) {
      if (c instanceof JsonObject part && part.getValue("text") instanceof String t) {
        text.append(t);
      }
    }
    return text.toString();
  }
}
