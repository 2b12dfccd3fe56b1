package dev.rtrelay.relay.upstream;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.rtrelay.relay.config.DeploymentConfig;
import dev.rtrelay.relay.config.VertexSettings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OAuth access tokens for Vertex AI deployments, one per credential (a service-account file or inline JSON from
 * {@code vertex_credentials}, or application default credentials) and shared by every deployment and verticle of the
 * node that uses it. A session start takes the cached token without waiting while it is valid; the token is fetched
 * again in the background at three quarters of its lifetime, so that even short-lived tokens (five minutes or less,
 * as some workload-identity setups issue) never put a token round trip into a session's set-up. A credential no
 * session used since its last fetch is not refreshed in the background: its next session fetches. The library
 * fetches over blocking HTTP, so fetches run on a worker thread.
 */
public final class GoogleAccessTokens {
  private static final Logger LOG = LoggerFactory.getLogger(GoogleAccessTokens.class);
  private static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/cloud-platform");
  /** A token is handed out while more than this much of it is left (less for very short lifetimes). */
  private static final long MAX_MARGIN_MILLIS = 30_000;
  private static final long RETRY_MILLIS = 5_000;

  private final Vertx vertx;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Credential> credentials = new ConcurrentHashMap<>();
  private final AtomicLong fetched = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean closed;

  public GoogleAccessTokens(Vertx vertx) {
    this(vertx, System::currentTimeMillis);
  }

  GoogleAccessTokens(Vertx vertx, LongSupplier clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  /** A valid access token for the deployment; fails (and the connector fails over) when none can be had. */
  public Future<String> token(DeploymentConfig deployment) {
    VertexSettings vertex = deployment.vertex().orElseThrow();
    Credential credential = credentials.computeIfAbsent(identity(vertex), key -> new Credential(vertex));
    return credential.token();
  }

  /** Stops the background refreshes (the node is closing). */
  public void close() {
    closed = true;
    credentials.values().forEach(Credential::cancel);
  }

  /** Tokens fetched from the token endpoint (successfully, and not). */
  public long fetchCount(boolean ok) {
    return ok ? fetched.get() : failed.get();
  }

  /** Which credential: the same file or the same JSON is one credential, whichever deployments name it. */
  private static String identity(VertexSettings vertex) {
    if (vertex.credentials().isEmpty()) {
      return "application-default";
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(vertex.credentials().get().reveal().trim().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One credential's token: state changes under its lock; fetches on a worker thread, one at a time. */
  private final class Credential {
    private final VertexSettings vertex;
    private GoogleCredentials google;
    private String token;
    private long expiresAtMillis;
    private long lifetimeMillis;
    private Future<String> fetching;
    private boolean usedSinceFetch;
    private long refreshTimer = -1;

    Credential(VertexSettings vertex) {
      this.vertex = vertex;
    }

    synchronized Future<String> token() {
      usedSinceFetch = true;
      long now = clock.getAsLong();
      if (token != null && expiresAtMillis - now > margin()) {
        return Future.succeededFuture(token);
      }
      return fetch();
    }

    private long margin() {
      return Math.min(MAX_MARGIN_MILLIS, lifetimeMillis / 10);
    }

    private synchronized Future<String> fetch() {
      if (fetching != null) {
        return fetching;
      }
      usedSinceFetch = false;
      Promise<String> done = Promise.promise();
      fetching = done.future();
      vertx.<AccessToken>executeBlocking(() -> {
        if (google == null) {
          google = load(vertex);
        }
        google.refresh();
        return google.getAccessToken();
      }, false).onComplete(ar -> fetched(ar.succeeded() ? ar.result() : null, ar.cause(), done));
      return fetching;
    }

    private synchronized void fetched(AccessToken fresh, Throwable failure, Promise<String> done) {
      fetching = null;
      long now = clock.getAsLong();
      if (fresh == null) {
        failed.incrementAndGet();
        LOG.warn("Vertex AI: could not fetch an access token ({})", failure.getMessage());
        done.fail(failure);
        if (token != null && expiresAtMillis > now) {
          // The current token still works: try again shortly rather than when it has run out.
          schedule(RETRY_MILLIS);
        }
        return;
      }
      fetched.incrementAndGet();
      token = fresh.getTokenValue();
      long expires = fresh.getExpirationTime() == null ? now + 3_600_000 : fresh.getExpirationTime().getTime();
      lifetimeMillis = Math.max(1_000, expires - now);
      expiresAtMillis = expires;
      done.complete(token);
      schedule(lifetimeMillis * 3 / 4);
    }

    private void schedule(long delayMillis) {
      cancel();
      if (!closed) {
        refreshTimer = vertx.setTimer(Math.max(1, delayMillis), id -> backgroundRefresh());
      }
    }

    synchronized void cancel() {
      if (refreshTimer >= 0) {
        vertx.cancelTimer(refreshTimer);
        refreshTimer = -1;
      }
    }

    private synchronized void backgroundRefresh() {
      refreshTimer = -1;
      if (usedSinceFetch && !closed) {
        fetch();
      }
    }
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
