package dev.rtrelay.relay.upstream;

import com.google.auth.oauth2.GoogleCredentials;
import dev.rtrelay.relay.config.DeploymentConfig;
import dev.rtrelay.relay.config.VertexSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OAuth access tokens for Vertex AI deployments, one credential per deployment (service-account JSON from
 * {@code vertex_credentials}, or application default credentials). The library refreshes over blocking HTTP, so
 * every call runs on a worker thread; a token is only needed at the handshake, and a cached one is reused until it
 * nears expiry.
 */
public final class GoogleAccessTokens {
  private static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/cloud-platform");

  private final Vertx vertx;
  private final ConcurrentHashMap<String, GoogleCredentials> credentials = new ConcurrentHashMap<>();

  public GoogleAccessTokens(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A valid access token for the deployment; fails (and the connector fails over) when none can be had. */
  public Future<String> token(DeploymentConfig deployment) {
    VertexSettings vertex = deployment.vertex().orElseThrow();
    return vertx.executeBlocking(() -> {
      GoogleCredentials c = credentials.computeIfAbsent(deployment.id(), id -> load(vertex));
      c.refreshIfExpired();
      return c.getAccessToken().getTokenValue();
    }, false);
  }

  private static GoogleCredentials load(VertexSettings vertex) {
    try {
      if (vertex.credentials().isEmpty()) {
        return GoogleCredentials.getApplicationDefault().createScoped(SCOPES);
      }
      String value = vertex.credentials().get().reveal().trim();
      try (InputStream in = value.startsWith("{")
          ? new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8))
          : Files.newInputStream(Path.of(value))) {
        return GoogleCredentials.fromStream(in).createScoped(SCOPES);
      }
    } catch (IOException e) {
      // The message names the file or the problem, never the key material.
      throw new IllegalStateException("Vertex AI credentials unusable: " + e.getClass().getSimpleName(), e);
    }
  }
}
