package dev.rtrelay.relay.upstream;

import dev.rtrelay.relay.config.DeploymentConfig;
import dev.rtrelay.relay.config.Provider;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Where and how to open the upstream socket for a deployment: URL form and auth header per provider. The provider key
 * from config is the only credential sent; the client's key never leaves the relay.
 */
public final class UpstreamEndpoint {
  static final String AZURE_PREVIEW_BETA = "realtime=v1";
  /** Vertex AI's Live path (note the slash where AI Studio has a dot). */
  public static final String VERTEX_LIVE_PATH = "/ws/google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContent";
  /** Gemini Live's WebSocket path; the model goes in the setup message, not the URL. */
  public static final String GEMINI_LIVE_PATH =
      "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent";

  private UpstreamEndpoint() {}

  /**
   * @param simulatedBase base URL of the in-process simulator, used by {@code simulated/} deployments without api_base
   * @param clientBeta the client's {@code OpenAI-Beta} header, forwarded because it selects beta vs GA event names
   */
  public static WebSocketConnectOptions options(DeploymentConfig d, Optional<String> simulatedBase,
      Optional<String> clientBeta, long connectTimeoutMillis) {
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setAbsoluteURI(uri(d, simulatedBase))
        .setConnectTimeout(connectTimeoutMillis)
        // Bounds the whole handshake, not just TCP connect: a provider that accepts TCP but never answers must fail
        // over.
        .setTimeout(connectTimeoutMillis);
    Optional<String> beta = clientBeta;
    if (d.provider() == Provider.VERTEX_AI) {
      // The OAuth token is added by the connector, fetched fresh for each connection.
      d.vertex().ifPresent(v -> options.addHeader("x-goog-user-project", v.project()));
      return options;
    }
    if (d.provider() == Provider.GEMINI) {
      // A header, as Google's own SDKs do: a key in the URL would end up in access logs.
      d.apiKey().ifPresent(k -> options.addHeader("x-goog-api-key", k.reveal()));
      return options;
    }
    if (d.provider() == Provider.AZURE) {
      d.apiKey().ifPresent(k -> options.addHeader("api-key", k.reveal()));
      if (d.apiVersion().isPresent() && beta.isEmpty()) {
        beta = Optional.of(AZURE_PREVIEW_BETA);
      }
    } else {
      d.apiKey().ifPresent(k -> options.addHeader("Authorization", "Bearer " + k.reveal()));
      d.organization().ifPresent(o -> options.addHeader("OpenAI-Organization", o));
    }
    beta.ifPresent(b -> options.addHeader("OpenAI-Beta", b));
    return options;
  }

  /** The upstream URL; contains no secret (keys travel in headers only), so it is safe to log. */
  public static String uri(DeploymentConfig d, Optional<String> simulatedBase) {
    String base = toWebSocketScheme(base(d, simulatedBase));
    String model = encode(d.providerModel());
    if (d.provider() == Provider.GEMINI) {
      return stripSuffix(base, "/v1beta") + GEMINI_LIVE_PATH;
    }
    if (d.provider() == Provider.VERTEX_AI) {
      return base + VERTEX_LIVE_PATH;
    }
    if (d.provider() == Provider.AZURE) {
      String resource = stripSuffix(stripSuffix(base, "/openai/v1"), "/openai");
      return d.apiVersion()
          .map(v -> resource + "/openai/realtime?api-version=" + encode(v) + "&deployment=" + model)
          .orElse(resource + "/openai/v1/realtime?model=" + model);
    }
    String path;
    if (base.endsWith("/realtime")) {
      path = base;
    } else if (base.endsWith("/v1")) {
      path = base + "/realtime";
    } else {
      path = base + "/v1/realtime";
    }
    return path + "?model=" + model;
  }

  /**
   * The deployment's base URL as configured, or its provider's default (the in-process simulator for
   * {@code simulated/}, the regional host for Vertex AI), without trailing slashes; scheme as given.
   */
  public static String base(DeploymentConfig d, Optional<String> simulatedBase) {
    return stripTrailingSlashes(d.apiBase()
        .or(() -> d.provider() == Provider.SIMULATED ? simulatedBase : d.provider().defaultApiBase())
        .or(() -> d.vertex().map(UpstreamEndpoint::vertexHost))
        .orElseThrow(() -> new IllegalStateException("no api_base for deployment " + d.id())));
  }

  private static String vertexHost(dev.rtrelay.relay.config.VertexSettings v) {
    return v.location().equals("global") ? "https://aiplatform.googleapis.com"
        : "https://" + v.location() + "-aiplatform.googleapis.com";
  }

  private static String toWebSocketScheme(String base) {
    String lower = base.toLowerCase(Locale.ROOT);
    if (lower.startsWith("https://")) {
      return "wss://" + base.substring("https://".length());
    }
    if (lower.startsWith("http://")) {
      return "ws://" + base.substring("http://".length());
    }
    return base;
  }

  private static String stripTrailingSlashes(String s) {
    String r = s;
    while (r.endsWith("/")) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }

  public static String stripSuffix(String s, String suffix) {
    return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
  }

  private static String encode(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }
}
