package dev.rtrelay.relay.webrtc;

import dev.rtrelay.relay.config.DeploymentConfig;
import dev.rtrelay.relay.config.Provider;
import dev.rtrelay.relay.upstream.UpstreamEndpoint;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.Locale;
import java.util.Optional;

/**
 * The provider's WebRTC sign-in endpoints for a deployment: {@code <v1>/realtime/client_secrets} (authenticated with
 * the provider key from config) and {@code <v1>/realtime/calls} (authenticated with the ephemeral key it issued).
 * OpenAI and xAI use {@code <api_base>/v1}; Azure's GA API uses {@code https://<resource>.openai.azure.com/openai/v1}.
 * Azure's preview API (a deployment with {@code api_version}) signs WebRTC in on regional hosts the config does not
 * name, so such deployments are not offered for WebRTC.
 */
final class WebRtcUpstream {
  private WebRtcUpstream() {}

  static boolean supports(DeploymentConfig d) {
    return !d.provider().translated() && !(d.provider() == Provider.AZURE && d.apiVersion().isPresent());
  }

  static RequestOptions clientSecrets(DeploymentConfig d, Optional<String> simulatedBase, long timeoutMillis) {
    RequestOptions options = post(v1(d, simulatedBase) + "/realtime/client_secrets", timeoutMillis)
        .putHeader("Content-Type", "application/json");
    if (d.provider() == Provider.AZURE) {
      d.apiKey().ifPresent(k -> options.putHeader("api-key", k.reveal()));
    } else {
      d.apiKey().ifPresent(k -> options.putHeader("Authorization", "Bearer " + k.reveal()));
      d.organization().ifPresent(o -> options.putHeader("OpenAI-Organization", o));
    }
    return options;
  }

  static RequestOptions calls(DeploymentConfig d, Optional<String> simulatedBase, String ephemeralKey,
      long timeoutMillis) {
    return post(v1(d, simulatedBase) + "/realtime/calls", timeoutMillis)
        .putHeader("Authorization", "Bearer " + ephemeralKey)
        .putHeader("Accept", "application/sdp");
  }

  /** The HTTP base that ends in {@code /v1}; contains no secret. */
  static String v1(DeploymentConfig d, Optional<String> simulatedBase) {
    String base = toHttpScheme(UpstreamEndpoint.base(d, simulatedBase));
    if (d.provider() == Provider.AZURE) {
      return UpstreamEndpoint.stripSuffix(UpstreamEndpoint.stripSuffix(base, "/openai/v1"), "/openai") + "/openai/v1";
    }
    base = UpstreamEndpoint.stripSuffix(base, "/realtime");
    return base.endsWith("/v1") ? base : base + "/v1";
  }

  private static RequestOptions post(String url, long timeoutMillis) {
    return new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).setConnectTimeout(timeoutMillis)
        .setIdleTimeout(timeoutMillis);
  }

  private static String toHttpScheme(String base) {
    String lower = base.toLowerCase(Locale.ROOT);
    if (lower.startsWith("wss://")) {
      return "https://" + base.substring("wss://".length());
    }
    if (lower.startsWith("ws://")) {
      return "http://" + base.substring("ws://".length());
    }
    return base;
  }
}
