package dev.rtrelay.relay.cost;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * USD per token for one deployment, under LiteLLM's {@code model_info} names. Exact decimals: per-token prices such as
 * 0.0000004 are not representable in binary floating point, and a budget check must not drift over millions of
 * tokens.
 *
 * <p>Fallbacks when a field is absent: audio and image input at the text input price, audio output at the text output
 * price, cached input at the uncached price of the same modality (no discount is assumed), cached audio and image at the
 * cached text price when that is set.
 */
public record ModelPrices(
    BigDecimal inputPerToken,
    BigDecimal outputPerToken,
    Optional<BigDecimal> inputAudioPerToken,
    Optional<BigDecimal> outputAudioPerToken,
    Optional<BigDecimal> inputImagePerToken,
    Optional<BigDecimal> cacheReadPerToken,
    Optional<BigDecimal> cacheReadAudioPerToken,
    Optional<BigDecimal> cacheReadImagePerToken) {

  /** The {@code model_info} field names this relay reads, in LiteLLM's spelling. */
  public static final String INPUT = "input_cost_per_token";
  public static final String OUTPUT = "output_cost_per_token";
  public static final String INPUT_AUDIO = "input_cost_per_audio_token";
  public static final String OUTPUT_AUDIO = "output_cost_per_audio_token";
  public static final String INPUT_IMAGE = "input_cost_per_image_token";
  public static final String CACHE_READ = "cache_read_input_token_cost";
  public static final String CACHE_READ_AUDIO = "cache_read_input_audio_token_cost";
  public static final String CACHE_READ_IMAGE = "cache_read_input_image_token_cost";
  public static final String[] FIELDS = {INPUT, OUTPUT, INPUT_AUDIO, OUTPUT_AUDIO, INPUT_IMAGE, CACHE_READ,
      CACHE_READ_AUDIO, CACHE_READ_IMAGE};

  /**
   * Builds prices from field name to value; the two text prices are required.
   *
   * @throws IllegalArgumentException naming the missing field
   */
  public static ModelPrices of(Map<String, BigDecimal> fields) {
    for (String required : new String[] {INPUT, OUTPUT}) {
      if (!fields.containsKey(required)) {
        throw new IllegalArgumentException(required + " is required when any price is set");
      }
    }
    return new ModelPrices(fields.get(INPUT), fields.get(OUTPUT), opt(fields, INPUT_AUDIO), opt(fields, OUTPUT_AUDIO),
        opt(fields, INPUT_IMAGE), opt(fields, CACHE_READ), opt(fields, CACHE_READ_AUDIO), opt(fields, CACHE_READ_IMAGE));
  }

  /** These prices with every field present in {@code overrides} replaced. */
  public ModelPrices with(Map<String, BigDecimal> overrides) {
    Map<String, BigDecimal> merged = new LinkedHashMap<>(toMap());
    merged.putAll(overrides);
    return of(merged);
  }

  public Map<String, BigDecimal> toMap() {
    Map<String, BigDecimal> m = new LinkedHashMap<>();
    m.put(INPUT, inputPerToken);
    m.put(OUTPUT, outputPerToken);
    inputAudioPerToken.ifPresent(v -> m.put(INPUT_AUDIO, v));
    outputAudioPerToken.ifPresent(v -> m.put(OUTPUT_AUDIO, v));
    inputImagePerToken.ifPresent(v -> m.put(INPUT_IMAGE, v));
    cacheReadPerToken.ifPresent(v -> m.put(CACHE_READ, v));
    cacheReadAudioPerToken.ifPresent(v -> m.put(CACHE_READ_AUDIO, v));
    cacheReadImagePerToken.ifPresent(v -> m.put(CACHE_READ_IMAGE, v));
    return m;
  }

  /** What one response cost, line by line. */
  public ResponseCost cost(ResponseUsage u) {
    BigDecimal audioIn = inputAudioPerToken.orElse(inputPerToken);
    BigDecimal imageIn = inputImagePerToken.orElse(inputPerToken);
    BigDecimal cachedText = cacheReadPerToken.orElse(inputPerToken);
    BigDecimal cachedAudio = cacheReadAudioPerToken.or(() -> cacheReadPerToken).orElse(audioIn);
    BigDecimal cachedImage = cacheReadImagePerToken.or(() -> cacheReadPerToken).orElse(imageIn);
    return new ResponseCost(
        times(inputPerToken, u.inputTextTokens() - u.cachedTextTokens()),
        times(audioIn, u.inputAudioTokens() - u.cachedAudioTokens()),
        times(imageIn, u.inputImageTokens() - u.cachedImageTokens()),
        times(cachedText, u.cachedTextTokens())
            .add(times(cachedAudio, u.cachedAudioTokens()))
            .add(times(cachedImage, u.cachedImageTokens())),
        times(outputPerToken, u.outputTextTokens()),
        times(outputAudioPerToken.orElse(outputPerToken), u.outputAudioTokens()));
  }

  private static BigDecimal times(BigDecimal price, long tokens) {
    return price.multiply(BigDecimal.valueOf(tokens));
  }

  private static Optional<BigDecimal> opt(Map<String, BigDecimal> fields, String name) {
    return Optional.ofNullable(fields.get(name));
  }
}
