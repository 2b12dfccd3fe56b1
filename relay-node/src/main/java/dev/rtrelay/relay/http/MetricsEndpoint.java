package dev.rtrelay.relay.http;

import dev.rtrelay.metrics.PrometheusText;
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

  public MetricsEndpoint(DeploymentRouter router, EventStats events, GuardrailStats guardrails) {
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
    request.response().putHeader("content-type", "text/plain; version=0.0.4").end(text.toString());
  }

  private static String escape(String label) {
    return label.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
