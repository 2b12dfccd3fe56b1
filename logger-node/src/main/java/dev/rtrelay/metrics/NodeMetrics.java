package dev.rtrelay.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;

/**
 * One node's Micrometer registry, scraped as Prometheus text at {@code /metrics}: the node's own meters plus Vert.x's
 * (HTTP server and client, WebSockets, event bus, pools) and the JVM's when the Vert.x instance was built with
 * {@link #vertxBuilder}.
 *
 * <p>Vert.x's labels are limited to bounded ones: never paths, remote addresses or event-bus addresses (reply
 * addresses are unique per request, session paths carry models and keys may sit in query strings).
 */
public final class NodeMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** A Vert.x builder whose own metrics go to this registry. */
  public VertxBuilder vertxBuilder(VertxOptions options) {
    options.setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME, Label.EB_SIDE))
        // Relayed sessions' sockets leave Vert.x once upgraded (the relay's own handler takes them over), so Vert.x's
        // HTTP server and TCP meters would see them open and never close; they would also count bytes on every read
        // and write of the audio path, and label requests with whatever method name a client sends. The nodes count
        // requests themselves (rtrelay_http_requests, bounded labels) and frames and bytes per direction.
        .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
  }
}
