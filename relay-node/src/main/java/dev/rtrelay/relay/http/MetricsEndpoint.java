package dev.rtrelay.relay.http;

import dev.rtrelay.metrics.PrometheusText;
import dev.rtrelay.relay.cost.CostStats;
import dev.rtrelay.relay.cost.ResponseUsage;
import dev.rtrelay.relay.events.EventStats;
import dev.rtrelay.relay.guardrails.GuardrailStats;
import dev.rtrelay.relay.routing.DeploymentRouter;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /metrics}: the node's counters in Prometheus text format. Deliberately small (live sessions and event
 * logging health); no labels carry keys or session ids.
 */
public final class MetricsEndpoint implements Handler<HttpServerRequest> {
  private final DeploymentRouter router;
  private final EventStats events;
  private final GuardrailStats guardrails;

  private final CostStats cost;

  public MetricsEndpoint(DeploymentRouter router, EventStats events, GuardrailStats guardrails, CostStats cost) {
    this.cost = cost;
    this.router = router;
    this.events = events;
    this.guardrails = guardrails;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String dropped = "rtrelay_log_events_dropped_total";
    String blocks = "rtrelay_guardrail_blocks_total";
    PrometheusText text = new PrometheusText()
        .gauge("rtrelay_sessions_live", "Realtime sessions open on this node", router.liveSessions())
        .counter("rtrelay_log_events_accepted_total", "Session-event records accepted for logging",
            events.acceptedCount())
        .counter("rtrelay_log_events_delivered_total", "Session-event records acknowledged by a logger",
            events.deliveredCount())
        .header(dropped, "Session-event records dropped (audio is never dropped)", "counter")
        .sample(dropped, "{reason=\"buffer_full\"}", events.droppedBufferFullCount())
        .sample(dropped, "{reason=\"not_acknowledged\"}", events.droppedUndeliveredCount())
        .header(blocks, "Messages blocked by guardrails (the session is then closed)", "counter");
    guardrails.snapshot().forEach((labels, count) -> text.sample(blocks,
        "{guardrail=\"" + escape(labels[0]) + "\",mode=\"" + labels[1] + "\"}", count));
    String decision = "rtrelay_guardrail_decision_microseconds";
    text.header(decision, "Time guardrails took to decide (sum and count; mean = sum / count)", "summary");
    guardrails.decisions().forEach((name, d) -> {
      String labels = "{guardrail=\"" + escape(name) + "\"}";
      text.sample(decision + "_sum", labels, d[0] / 1_000).sample(decision + "_count", labels, d[1]);
    });
    writeCost(text);
    request.response().putHeader("content-type", "text/plain; version=0.0.4").end(text.toString());
  }

  private void writeCost(PrometheusText text) {
    String usd = "rtrelay_cost_usd_total";
    String tokens = "rtrelay_tokens_total";
    String responses = "rtrelay_responses_billed_total";
    var snapshot = cost.snapshot();
    text.header(usd, "Spend computed from response.done usage, by model alias (deployments without prices add 0)",
        "counter");
    snapshot.forEach((alias, s) -> text.sample(usd, "{model=\"" + escape(alias) + "\"}",
        s.cost().signum() == 0 ? "0" : s.cost().stripTrailingZeros().toPlainString()));
    text.header(responses, "Responses billed, by model alias and whether prices were known", "counter");
    snapshot.forEach((alias, s) -> {
      text.sample(responses, "{model=\"" + escape(alias) + "\",priced=\"true\"}", s.responses() - s.unpriced());
      text.sample(responses, "{model=\"" + escape(alias) + "\",priced=\"false\"}", s.unpriced());
    });
    text.header(tokens, "Tokens from response.done usage, by model alias and kind (cached is a subset of input)",
        "counter");
    snapshot.forEach((alias, s) -> {
      ResponseUsage u = s.usage();
      String a = escape(alias);
      text.sample(tokens, "{model=\"" + a + "\",kind=\"input_text\"}", u.inputTextTokens());
      text.sample(tokens, "{model=\"" + a + "\",kind=\"input_audio\"}", u.inputAudioTokens());
      text.sample(tokens, "{model=\"" + a + "\",kind=\"input_image\"}", u.inputImageTokens());
      text.sample(tokens, "{model=\"" + a + "\",kind=\"cached_input\"}", u.cachedTokens());
      text.sample(tokens, "{model=\"" + a + "\",kind=\"output_text\"}", u.outputTextTokens());
      text.sample(tokens, "{model=\"" + a + "\",kind=\"output_audio\"}", u.outputAudioTokens());
    });
  }

  private static String escape(String label) {
    return label.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
