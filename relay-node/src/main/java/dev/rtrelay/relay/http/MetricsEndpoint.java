package dev.rtrelay.relay.http;

import dev.rtrelay.relay.events.EventStats;
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

  public MetricsEndpoint(DeploymentRouter router, EventStats events) {
    this.router = router;
    this.events = events;
  }

  @Override
  public void handle(HttpServerRequest request) {
    StringBuilder out = new StringBuilder(512);
    gauge(out, "rtrelay_sessions_live", "Realtime sessions open on this node", router.liveSessions());
    counter(out, "rtrelay_log_events_accepted_total", "Session-event records accepted for logging",
        events.acceptedCount());
    counter(out, "rtrelay_log_events_delivered_total", "Session-event records acknowledged by a logger",
        events.deliveredCount());
    out.append("# HELP rtrelay_log_events_dropped_total Session-event records dropped (audio is never dropped)\n")
        .append("# TYPE rtrelay_log_events_dropped_total counter\n")
        .append("rtrelay_log_events_dropped_total{reason=\"buffer_full\"} ").append(events.droppedBufferFullCount())
        .append('\n')
        .append("rtrelay_log_events_dropped_total{reason=\"not_acknowledged\"} ")
        .append(events.droppedUndeliveredCount()).append('\n');
    request.response().putHeader("content-type", "text/plain; version=0.0.4").end(out.toString());
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append('\n');
  }

  private static void counter(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(value).append('\n');
  }
}
