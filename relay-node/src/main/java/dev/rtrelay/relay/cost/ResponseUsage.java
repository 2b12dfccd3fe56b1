package dev.rtrelay.relay.cost;

import io.vertx.core.json.JsonObject;

/**
 * The token counts of one {@code response.done}, split the way prices are: input by modality with the cached part of
 * each modality separated out, output by modality. Cached tokens are a <em>subset</em> of input tokens; keeping
 * them separate here is what stops them being billed twice.
 *
 * <p>Reads the GA and beta shapes alike: {@code input_token_details} (realtime) or {@code input_tokens_details}
 * (the Responses API spelling some providers echo), and {@code cached_tokens_details} when present. Without that
 * per-modality breakdown of cached tokens (older beta payloads), cached tokens are attributed to text first, then
 * audio, then image: the cached prefix of a realtime conversation starts with the instructions and tools, which are
 * text.
 */
public record ResponseUsage(
    long inputTokens,
    long outputTokens,
    long totalTokens,
    long inputTextTokens,
    long inputAudioTokens,
    long inputImageTokens,
    long cachedTextTokens,
    long cachedAudioTokens,
    long cachedImageTokens,
    long outputTextTokens,
    long outputAudioTokens) {

  public static final ResponseUsage ZERO = new ResponseUsage(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** @return the usage of a {@code response.done} event, or null when it carries none */
  public static ResponseUsage fromResponseDone(JsonObject responseDone) {
    JsonObject response = responseDone.getValue("response") instanceof JsonObject r ? r : null;
    JsonObject usage = response != null && response.getValue("usage") instanceof JsonObject u ? u : null;
    return usage == null ? null : of(usage);
  }

  public static ResponseUsage of(JsonObject usage) {
    long input = number(usage, "input_tokens");
    long output = number(usage, "output_tokens");
    long total = usage.containsKey("total_tokens") ? number(usage, "total_tokens") : input + output;
    JsonObject in = details(usage, "input_token_details", "input_tokens_details");
    JsonObject out = details(usage, "output_token_details", "output_tokens_details");
    long inText = number(in, "text_tokens");
    long inAudio = number(in, "audio_tokens");
    long inImage = number(in, "image_tokens");
    if (inText + inAudio + inImage == 0 && input > 0) {
      // No modality breakdown at all (text-only providers): everything is text.
      inText = input;
    }
    long cached = number(in, "cached_tokens");
    long cachedText;
    long cachedAudio;
    long cachedImage;
    if (in.getValue("cached_tokens_details") instanceof JsonObject c) {
      cachedText = number(c, "text_tokens");
      cachedAudio = number(c, "audio_tokens");
      cachedImage = number(c, "image_tokens");
    } else {
      cachedText = Math.min(cached, inText);
      cachedAudio = Math.min(cached - cachedText, inAudio);
      cachedImage = Math.min(cached - cachedText - cachedAudio, inImage);
    }
    long outText = number(out, "text_tokens");
    long outAudio = number(out, "audio_tokens");
    if (outText + outAudio == 0 && output > 0) {
      outText = output;
    }
    return new ResponseUsage(input, output, total, inText, inAudio, inImage,
        Math.min(cachedText, inText), Math.min(cachedAudio, inAudio), Math.min(cachedImage, inImage), outText,
        outAudio);
  }

  public long cachedTokens() {
    return cachedTextTokens + cachedAudioTokens + cachedImageTokens;
  }

  public ResponseUsage plus(ResponseUsage o) {
    return new ResponseUsage(inputTokens + o.inputTokens, outputTokens + o.outputTokens, totalTokens + o.totalTokens,
        inputTextTokens + o.inputTextTokens, inputAudioTokens + o.inputAudioTokens,
        inputImageTokens + o.inputImageTokens, cachedTextTokens + o.cachedTextTokens,
        cachedAudioTokens + o.cachedAudioTokens, cachedImageTokens + o.cachedImageTokens,
        outputTextTokens + o.outputTextTokens, outputAudioTokens + o.outputAudioTokens);
  }

  private static JsonObject details(JsonObject usage, String name, String alternative) {
    Object v = usage.getValue(name);
    if (!(v instanceof JsonObject)) {
      v = usage.getValue(alternative);
    }
    return v instanceof JsonObject o ? o : new JsonObject();
  }

  private static long number(JsonObject o, String field) {
    return o.getValue(field) instanceof Number n ? Math.max(0, n.longValue()) : 0;
  }
}
