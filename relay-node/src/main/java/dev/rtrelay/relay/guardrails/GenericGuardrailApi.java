package dev.rtrelay.relay.guardrails;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
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
      boolean failOpen, long timeoutMillis) {
    @Override
    public String toString() {
      // The record's default would print the API key.
      return "Settings[endpoint=" + endpoint + ", failOpen=" + failOpen + ", timeoutMillis=" + timeoutMillis + "]";
    }
  }

  private final Settings settings;
  private final HttpClient client;

  GenericGuardrailApi(String name, Set<GuardrailMode> modes, boolean defaultOn, Settings settings, HttpClient client) {
    super(name, modes, defaultOn);
    this.settings = settings;
    this.client = client;
  }

  @Override
  public Guardrail bind(Vertx vertx) {
    return new GenericGuardrailApi(name(), modes(), defaultOn(), settings, vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeoutMillis()))));
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
    return client.request(options)
        .compose(req -> req.send(body.toBuffer()))
        .compose(resp -> resp.statusCode() / 100 == 2 ? resp.body()
            : Future.failedFuture("HTTP " + resp.statusCode()))
        .map(GenericGuardrailApi::verdict)
        .recover(error -> unreachable(error, context));
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
