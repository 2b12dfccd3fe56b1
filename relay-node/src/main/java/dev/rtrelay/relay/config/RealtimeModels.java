package dev.rtrelay.relay.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Which entries of a LiteLLM {@code model_list} the relay serves: the realtime ones. A LiteLLM proxy's config also
 * holds chat, embedding, image and other providers' models; the relay skips those (with a reason) instead of refusing
 * to start, and never offers them as realtime models.
 *
 * <p>An entry is realtime when its {@code model_info.mode} is {@code realtime} (LiteLLM's own marker; any other mode
 * means it is not), or, without a mode, when its model name (or {@code model_info.base_model}) is a known realtime
 * model of its provider:
 *
 * <ul>
 *   <li>OpenAI and Azure OpenAI: the name contains {@code realtime} ({@code gpt-realtime*},
 *       {@code gpt-4o*-realtime-*}; an Azure deployment named otherwise needs the mode or a {@code base_model});
 *   <li>xAI: the name contains {@code voice} or {@code realtime} (its voice agent takes chat model names: set the mode);
 *   <li>Gemini (AI Studio) and Vertex AI: the name contains {@code live} or {@code native-audio}
 *       ({@code gemini-live-2.5-flash}, {@code gemini-2.0-flash-live-001}, {@code gemini-2.5-flash-native-audio-*});
 *   <li>Bedrock: the name contains {@code sonic} ({@code amazon.nova-sonic-v1:0}, {@code amazon.nova-2-sonic-v1:0});
 *   <li>the built-in {@code simulated/} provider: always.
 * </ul>
 *
 * A model without a provider prefix is taken as OpenAI's when its name is a realtime one (LiteLLM infers the
 * provider from the name the same way); other prefixes ({@code anthropic/}, {@code ollama/}, ...) have no realtime
 * API the relay speaks.
 */
final class RealtimeModels {
  private RealtimeModels() {}

  /** The provider of an entry with no prefix, when its name says it is an OpenAI realtime model. */
  static Optional<Provider> inferProvider(String model) {
    return named(Provider.OPENAI, model) ? Optional.of(Provider.OPENAI) : Optional.empty();
  }

  /**
   * Why the entry is not served, or empty when it is.
   *
   * @param mode {@code model_info.mode}, if set
   * @param baseModel {@code model_info.base_model}, if set (LiteLLM's way to name what an Azure deployment runs)
   */
  static Optional<String> whyNotServed(Provider provider, String model, Optional<String> mode,
      Optional<String> baseModel) {
    if (model.contains("*")) {
      return Optional.of("a wildcard route; the relay serves named realtime models only");
    }
    if (mode.isPresent()) {
      return mode.get().equalsIgnoreCase("realtime") ? Optional.empty()
          : Optional.of("model_info.mode is '" + mode.get() + "', not realtime");
    }
    if (named(provider, model) || baseModel.map(b -> named(provider, strip(b))).orElse(false)) {
      return Optional.empty();
    }
    return Optional.of("not a known realtime model of " + provider.prefix() + "/ (set model_info.mode: realtime to "
        + "serve it)");
  }

  private static String strip(String model) {
    int slash = model.indexOf('/');
    return slash < 0 ? model : model.substring(slash + 1);
  }

  private static boolean named(Provider provider, String model) {
    String name = model.toLowerCase(Locale.ROOT);
    return switch (provider) {
      case OPENAI, AZURE -> name.contains("realtime");
      case XAI -> name.contains("voice") || name.contains("realtime");
      case GEMINI, VERTEX_AI -> name.contains("live") || name.contains("native-audio");
      case BEDROCK -> name.contains("sonic");
      case SIMULATED -> true;
    };
  }
}
