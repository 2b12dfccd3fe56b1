package dev.rtrelay.relay.webrtc;

import dev.rtrelay.relay.auth.ClientCredentials;
import dev.rtrelay.relay.auth.Principal;
import dev.rtrelay.relay.config.DeploymentConfig;
import dev.rtrelay.relay.http.HttpErrors;
import dev.rtrelay.relay.http.RefusalLog;
import dev.rtrelay.relay.http.RelayException;
import dev.rtrelay.relay.routing.DeploymentState;
import dev.rtrelay.relay.routing.ModelGroup;
import dev.rtrelay.relay.upstream.FailureText;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/realtime/client_secrets}: WebRTC sign-in, step one. Authenticates the virtual key, picks a
 * deployment of the alias like a WebSocket session would (load balancing, failover, cooldown), asks that provider
 * for an ephemeral key, and answers in the provider's shape with the key replaced by a relay token that seals it
 * together with the deployment, the key alias and the expiry. The client never sees a provider key, ephemeral or not.
 *
 * <p>Both request shapes in the wild are accepted: LiteLLM's {@code {"model": "<alias>", ...}} (other fields are
 * session fields) and the SDKs' GA {@code {"session": {"type": "realtime", "model": "<alias>", ...},
 * "expires_after": {...}}}. The provider always receives the GA shape with the deployment's own model.
 */
public final class ClientSecretsEndpoint implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(ClientSecretsEndpoint.class);
  /** OpenAI's default lifetime of an ephemeral key, used when the provider does not say. */
  private static final long DEFAULT_TTL_SECONDS = 600;



  private final SignInServices services;
  private final Clock clock;

  public ClientSecretsEndpoint(SignInServices services, Clock clock) {
    this.services = services;
    this.clock = clock;
  }

  @Override
  public void handle(HttpServerRequest request) {
    request.pause();
    Principal principal;
    CallTokens sealer;
    try {
      sealer = services.tokens().orElseThrow(WebRtcErrors::notConfigured);
      principal = services.brake().guard(request,
          () -> services.authenticator().authenticate(ClientCredentials.from(request.headers()).key()));
    } catch (RelayException e) {
      HttpErrors.respond(request, e);
      return;
    }
    RequestBody.read(request)
        .map(ClientSecretsEndpoint::json)
        .compose(body -> {
          String alias = alias(body);
          ModelGroup group = services.router().group(alias).orElseThrow(() -> RelayException.notFound(
              "Model '" + alias + "' is not configured on this relay; GET /v1/models lists the models your key may "
                  + "use"));
          if (!principal.mayUse(alias)) {
            throw RelayException.forbidden("Key '" + principal.id() + "' is not allowed to use model '" + alias + "'");
          }
          List<DeploymentState> order = candidates(group);
          return services.limits().admitRequest(principal)
              .compose(v -> attempt(group, order, 0, body, new ArrayList<>()))
              .map(issued -> answer(issued, sealer, principal, alias));
        })
        .onSuccess(answer -> HttpErrors.respondJson(request, 200, answer))
        .onFailure(error -> {
          RelayException e = error instanceof RelayException r ? r
              : new RelayException(502, "upstream_error", "Client secret request failed");
          RefusalLog.refused("client secret", e);
          HttpErrors.respond(request, e);
        });
  }

  private static JsonObject json(Buffer body) {
    try {
      return new JsonObject(body);
    } catch (RuntimeException e) {
      throw RelayException.badRequest("Body must be a JSON object like {\"model\": \"<model_name>\"} or "
          + "{\"session\": {\"type\": \"realtime\", \"model\": \"<model_name>\"}}");
    }
  }

  private static String alias(JsonObject body) {
    Object model = body.getValue("model");
    if (!(model instanceof String) && body.getValue("session") instanceof JsonObject session) {
      model = session.getValue("model");
    }
    if (!(model instanceof String s) || s.isBlank()) {
      throw RelayException.badRequest("Missing model: send {\"model\": \"<model_name>\"} or "
          + "{\"session\": {\"type\": \"realtime\", \"model\": \"<model_name>\"}}");
    }
    return s;
  }

  private List<DeploymentState> candidates(ModelGroup group) {
    if (group.deployments().stream().noneMatch(d -> WebRtcUpstream.supports(d.config()))) {
      throw RelayException.badRequest("Model '" + group.alias() + "' has no deployment that supports WebRTC "
          + "(Azure deployments need the GA API: remove api_version)");
    }
    List<DeploymentState> order = services.router().attemptOrder(group).stream()
        .filter(d -> WebRtcUpstream.supports(d.config())).toList();
    if (order.isEmpty()) {
      int retryAfter = services.router().secondsUntilAvailable(group);
      throw new RelayException(503, "service_unavailable", "All deployments of model '" + group.alias()
          + "' are cooling down after failures; retry in " + retryAfter + " s", Optional.of(retryAfter));
    }
    return order;
  }

  /** The upstream request: GA shape, the deployment's model in place of the alias. */
  static JsonObject upstreamBody(JsonObject body, DeploymentConfig d) {
    JsonObject session;
    JsonObject out = new JsonObject();
    if (body.getValue("session") instanceof JsonObject s) {
      session = s.copy();
      body.forEach(e -> {
        if (!e.getKey().equals("session") && !e.getKey().equals("model")) {
          out.put(e.getKey(), e.getValue());
        }
      });
    } else {
      session = body.copy();
      session.remove("model");
      Object expires = session.remove("expires_after");
      if (expires != null) {
        out.put("expires_after", expires);
      }
    }
    if (!session.containsKey("type")) {
      session.put("type", "realtime");
    }
    session.put("model", d.providerModel());
    return out.put("session", session);
  }

  private record Issued(DeploymentConfig deployment, JsonObject response) {}

  private Future<Issued> attempt(ModelGroup group, List<DeploymentState> order, int index, JsonObject body,
      List<String> failures) {
    if (index == order.size()) {
      boolean rateLimited = !failures.isEmpty() && failures.stream().allMatch(f -> f.endsWith(": rate_limited"));
      String message = "No deployment of model '" + group.alias() + "' issued a client secret ("
          + String.join("; ", failures) + ")";
      return Future.failedFuture(rateLimited ? new RelayException(429, "rate_limit_error", message)
          : new RelayException(502, "upstream_error", message));
    }
    DeploymentState deployment = order.get(index);
    DeploymentConfig d = deployment.config();
    return services.http()
        .request(WebRtcUpstream.clientSecrets(d, services.simulatedBase(), services.timeoutMillis()))
        .compose(req -> req.send(upstreamBody(body, d).toBuffer()))
        .compose(response -> response.body().map(b -> new UpstreamReply(response, b)))
        .transform(ar -> {
          if (ar.failed()) {
            services.router().recordFailure(deployment);
            LOG.warn("client secret request to deployment {} failed: {}", d.id(), FailureText.describe(ar.cause()));
            failures.add(d.id() + ": " + FailureText.category(ar.cause()));
            return attempt(group, order, index + 1, body, failures);
          }
          UpstreamReply reply = ar.result();
          int status = reply.response.statusCode();
          if (status / 100 == 2) {
            JsonObject json;
            try {
              json = new JsonObject(reply.body);
            } catch (RuntimeException e) {
              json = null;
            }
            if (json != null && ephemeralKey(json) != null) {
              services.router().recordSuccess(deployment);
              return Future.succeededFuture(new Issued(d, json));
            }
            failures.add(d.id() + ": answer without an ephemeral key");
          } else if (WebRtcErrors.isClientError(status)) {
            // The provider refused the request itself (e.g. an unknown session field): another deployment would too.
            return Future.failedFuture(WebRtcErrors.fromUpstream(status, reply.body));
          } else {
            failures.add(d.id() + ": " + FailureText.status(status));
          }
          services.router().recordFailure(deployment);
          return attempt(group, order, index + 1, body, failures);
        });
  }

  private record UpstreamReply(HttpClientResponse response, Buffer body) {}

  private static String ephemeralKey(JsonObject json) {
    if (json.getValue("value") instanceof String v) {
      return v;
    }
    if (json.getValue("client_secret") instanceof JsonObject cs && cs.getValue("value") instanceof String v) {
      return v;
    }
    return null;
  }

  private static Long expiresAt(JsonObject json) {
    if (json.getValue("expires_at") instanceof Number n) {
      return n.longValue();
    }
    if (json.getValue("client_secret") instanceof JsonObject cs && cs.getValue("expires_at") instanceof Number n) {
      return n.longValue();
    }
    return null;
  }

  /** The provider's answer with every copy of its ephemeral key replaced by the relay token. */
  private JsonObject answer(Issued issued, CallTokens sealer, Principal principal, String alias) {
    JsonObject json = issued.response();
    long now = clock.instant().getEpochSecond();
    Long upstreamExpiry = expiresAt(json);
    long expiresAt = upstreamExpiry != null && upstreamExpiry > now ? upstreamExpiry : now + DEFAULT_TTL_SECONDS;
    String token = sealer.seal(new CallToken(ephemeralKey(json), issued.deployment().id(), alias, principal.id(),
        principal.teamId(), now, expiresAt));
    JsonObject answer = json.copy();
    if (answer.containsKey("value")) {
      answer.put("value", token);
    }
    JsonObject clientSecret = answer.getValue("client_secret") instanceof JsonObject cs ? cs : new JsonObject();
    // LiteLLM's documented clients read client_secret.value; the GA SDKs read value. Serve both.
    answer.put("client_secret", clientSecret.put("value", token).put("expires_at", expiresAt));
    if (!answer.containsKey("expires_at") && answer.containsKey("value")) {
      answer.put("expires_at", expiresAt);
    }
    if (answer.getValue("session") instanceof JsonObject session && session.containsKey("model")) {
      session.put("model", alias);
    }
    LOG.info("WebRTC client secret issued: key '{}', model '{}', deployment {}, expires in {} s", principal.id(),
        alias, issued.deployment().id(), expiresAt - now);
    return answer;
  }
}
