package dev.rtrelay.relay.translate;

import dev.rtrelay.relay.config.DeploymentConfig;

/** The translator a translated provider's session uses. */
public final class Translators {
  private Translators() {}

  /** @param beta the client asked for beta event names ({@code OpenAI-Beta: realtime=v1}) */
  public static Translator forDeployment(DeploymentConfig d, String sessionId, boolean beta) {
    if (d.bedrock().isPresent()) {
      return new NovaSonicTranslator(d.providerModel(), sessionId, beta, d.bedrock().get().streamRenewal().toNanos(),
          System::nanoTime);
    }
    // Vertex AI names the model by its full resource name and rejects ids on tool responses; AI Studio wants both.
    String model = d.vertex().map(v -> "projects/" + v.project() + "/locations/" + v.location()
        + "/publishers/google/models/" + d.providerModel()).orElse("models/" + d.providerModel());
    return new GeminiTranslator(model, d.vertex().isEmpty(), sessionId, beta);
  }
}
