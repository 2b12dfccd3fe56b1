package dev.rtrelay.relay.guardrails;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LiteLLM's {@code generic_guardrail_api}: POSTs the text to {@code {api_base}/beta/litellm_basic_guardrail_api}
 * and follows the answer ({@code action} BLOCKED / NONE / GUARDRAIL_INTERVENED, optional replacement {@code texts}).
 * Sends session, alias, key alias and team as metadata, never the key. A timeout or error fails closed by default
 * ({@code unreachable_fallback: fail_open} lets the text through), because a guardrail that silently stops
 * guarding is worse than a refused turn.
 */
final class GenericGuardrailApi extends ConfiguredGuardrail {
  private static final Logger LOG = LoggerFactory.getLogger(GenericGuardrailApi.class);
  static final String PATH = "/beta/litellm_basic_guardrail_api";

  record Settings(String endpoint, String apiKey, Map<String, String> headers, JsonObject extraParams,
      boolean failOpen, long timeoutMillis, Limits limits) {
    @Override
    public String toString() {
      // The record's default would print the API key.
      return "Settings[endpoint=" + endpoint + ", failOpen=" + failOpen + ", timeoutMillis=" + timeoutMillis
          + ", limits=" + limits + "]";
    }
  }

  /**
   * How much of the guardrail service one node may use: {@code maxConnections} open connections, {@code maxQueued}
   * checks waiting for one, and {@code perSession} checks in flight per session (a provider can finish many
   * transcripts in a burst; one session must not take the whole pool). A check beyond a bound is not sent: it gets
   * the configured fallback (fail closed or open) at once, as an unreachable service would.
   */
  record Limits(int maxConnections, int maxQueued, int perSession) {}

  private final Settings settings;
  private final HttpClient client;
  /** Checks in flight per session id, node-wide (the guardrail is shared by every relay event loop). */
  private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong lastOverloadLogMillis = new AtomicLong();

  GenericGuardrailApi(String name, Set<GuardrailMode> modes, boolean defaultOn, Settings settings, HttpClient client) {
    super(name, modes, defaultOn);
    this.settings = settings;
    this.client = client;
  }

  @Override
  public Guardrail bind(Vertx vertx) {
    return new GenericGuardrailApi(name(), modes(), defaultOn(), settings, vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeoutMillis())),
        new PoolOptions().setHttp1MaxSize(settings.limits().maxConnections())
            .setMaxWaitQueueSize(settings.limits().maxQueued())));
  }

  @Override
  public boolean sameAs(Guardrail configured) {
    return configured instanceof GenericGuardrailApi other && other.name().equals(name())
        && other.modes().equals(modes()) && other.defaultOn() == defaultOn() && other.settings.equals(settings);
  }

  @Override
  public Future<Verdict> check(String text, CheckContext context) {
    if (client == null) {
      return Future.failedFuture(new IllegalStateException("guardrail " + name() + " used before bind()"));
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(settings.endpoint())
        .setTimeout(settings.timeoutMillis()).putHeader("content-type", "application/json");
    settings.headers().forEach(options::putHeader);
    if (settings.apiKey() != null) {
      options.putHeader("x-api-key", settings.apiKey());
    }
    JsonObject requestData = new JsonObject().put("user_api_key_alias", context.keyAlias());
    context.teamId().ifPresent(t -> requestData.put("user_api_key_team_id", t));
    JsonObject body = new JsonObject()
        .put("texts", new JsonArray().add(text))
        .putNull("images")
        .put("request_data", requestData)
        .put("input_type", context.mode() == GuardrailMode.POST_CALL ? "response" : "request")
        .put("litellm_call_id", context.sessionId())
        .put("model", context.model())
        .put("additional_provider_specific_params", settings.extraParams());
    String session = context.sessionId();
    if (!enter(session)) {
      return overloaded(context, "more than " + settings.limits().perSession() + " checks in flight for the session");
    }
    return client.request(options)
        .compose(req -> req.send(body.toBuffer()))
        .compose(resp -> resp.statusCode() / 100 == 2 ? resp.body()
            : Future.failedFuture("HTTP " + resp.statusCode()))
        .map(GenericGuardrailApi::verdict)
        .recover(error -> error instanceof ConnectionPoolTooBusyException
            ? overloaded(context, "more than " + settings.limits().maxQueued() + " checks waiting for a connection")
            : unreachable(error, context))
        .andThen(done -> leave(session));
  }

  /** Takes one of the session's in-flight slots, atomically; false when it has none left. */
  private boolean enter(String session) {
    boolean[] admitted = {false};
    inFlight.compute(session, (id, count) -> {
      int now = count == null ? 0 : count;
      if (now >= settings.limits().perSession()) {
        return count;
      }
      admitted[0] = true;
      return now + 1;
    });
    return admitted[0];
  }

  /** Gives the slot back; the session's entry goes when its last check ends, so ended sessions leave nothing. */
  private void leave(String session) {
    inFlight.computeIfPresent(session, (id, count) -> count <= 1 ? null : count - 1);
  }

  /** Sessions with checks in flight (for tests: none are left once every check ended). */
  int sessionsInFlight() {
    return inFlight.size();
  }

  /** A check over a bound: the configured fallback at once, logged at most every 10 s per guardrail. */
  private Future<Verdict> overloaded(CheckContext context, String why) {
    long now = System.currentTimeMillis();
    long last = lastOverloadLogMillis.get();
    if (now - last >= 10_000 && lastOverloadLogMillis.compareAndSet(last, now)) {
      LOG.warn("guardrail '{}' overloaded ({}); failing {} as configured", name(), why,
          settings.failOpen() ? "open" : "closed");
    }
    return Future.succeededFuture(settings.failOpen() ? Verdict.ALLOW
        : Verdict.block("guardrail '" + name() + "' is overloaded", "overloaded"));
  }

  static Verdict verdict(io.vertx.core.buffer.Buffer buffer) {
    JsonObject answer = new JsonObject(buffer);
    String action = answer.getString("action", "NONE");
    if ("BLOCKED".equals(action)) {
      return Verdict.block(answer.getString("blocked_reason", "Content violates policy"), "generic_guardrail_api");
    }
    JsonArray texts = answer.getJsonArray("texts");
    if (texts != null && !texts.isEmpty() && texts.getValue(0) instanceof String replacement) {
      return Verdict.rewrite(replacement, "generic_guardrail_api");
    }
    return Verdict.ALLOW;
  }

  private Future<Verdict> unreachable(Throwable error, CheckContext context) {
    String why = error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    if (settings.failOpen()) {
      LOG.warn("session {}: guardrail '{}' unavailable ({}); failing open as configured", context.sessionId(),
          name(), why);
      return Future.succeededFuture(Verdict.ALLOW);
    }
    LOG.warn("session {}: guardrail '{}' unavailable ({}); failing closed", context.sessionId(), name(), why);
    return Future.succeededFuture(Verdict.block("guardrail '" + name() + "' is unavailable", "unavailable"));
  }
}
