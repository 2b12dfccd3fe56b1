package dev.rtrelay.relay.metrics;

import dev.rtrelay.relay.cost.CostStats;
import dev.rtrelay.relay.events.EventStats;
import dev.rtrelay.relay.guardrails.GuardrailStats;
import dev.rtrelay.relay.events.LoggerDirectory;
import dev.rtrelay.relay.events.ResponseLatency;
import dev.rtrelay.relay.limits.ClusterQuorum;
import dev.rtrelay.relay.limits.KeyLimits;
import dev.rtrelay.relay.routing.DeploymentRouter;
import dev.rtrelay.relay.upstream.GoogleAccessTokens;
import dev.rtrelay.relay.upstream.WarmStats;
import dev.rtrelay.relay.routing.DeploymentState;
import dev.rtrelay.relay.routing.ModelGroup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The relay's meters. Label values are bounded by configuration (model aliases, deployment ids, guardrail names) or
 * by protocol (close codes, directions); never session ids, keys or paths.
 *
 * <p>On the audio path only two {@link java.util.concurrent.atomic.LongAdder} increments per frame are added, plus a
 * timing of one frame in {@link FrameMeters#SAMPLE_EVERY}. Everything else is counted per session, per connection
 * attempt or per response, or read from existing counters when scraped.
 */
public final class RelayMetrics {
  private final MeterRegistry registry;
  private final EventStats events;
  private final GuardrailStats guardrails;
  private final CostStats cost;
  private final FrameMeters clientToUpstream;
  /**
   * Per configured deployment (model and deployment id): the label set is the config's, bounded; a reload adds the
   * new pairs and removes those it took out ({@link #deploymentsChanged}).
   */
  private final java.util.Map<String, DeploymentMeters> deployments = new java.util.concurrent.ConcurrentHashMap<>();
  private final DeploymentRouter router;
  private final FrameMeters upstreamToClient;

  public RelayMetrics(MeterRegistry registry, DeploymentRouter router, EventStats events, GuardrailStats guardrails,
      CostStats cost, KeyLimits limits, LoggerDirectory loggers, GoogleAccessTokens googleTokens,
      WarmStats warm) {
    this.registry = registry;
    this.router = router;
    this.events = events;
    this.guardrails = guardrails;
    this.cost = cost;
    deploymentsChanged();
    Timer forward = Timer.builder("rtrelay_frame_forward").description("Time to hand one frame to the other "
            + "socket (one frame in " + FrameMeters.SAMPLE_EVERY + " is timed)")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(1_000))
        .maximumExpectedValue(Duration.ofMillis(100)).register(registry);
    clientToUpstream = new FrameMeters("client_to_upstream", registry, forward);
    upstreamToClient = new FrameMeters("upstream_to_client", registry, forward);
    FunctionCounter.builder("rtrelay_log_events_accepted", events, EventStats::acceptedCount)
        .description("Session-event records accepted for logging").register(registry);
    FunctionCounter.builder("rtrelay_log_events_delivered", events, EventStats::deliveredCount)
        .description("Session-event records acknowledged by a logger").register(registry);
    FunctionCounter.builder("rtrelay_log_events_dropped", events, EventStats::droppedBufferFullCount)
        .description("Session-event records dropped (audio is never dropped)").tag("reason", "buffer_full")
        .register(registry);
    FunctionCounter.builder("rtrelay_log_events_dropped", events, EventStats::droppedUndeliveredCount)
        .description("Session-event records dropped (audio is never dropped)").tag("reason", "not_acknowledged")
        .register(registry);
    for (KeyLimits.Unavailable reason : KeyLimits.Unavailable.values()) {
      FunctionCounter.builder("rtrelay_key_limits_unavailable", limits, l -> l.unavailableCount(reason))
          .description("Key-limit changes the cluster map did not take in time (admissions refused with 503, "
              + "releases retried)")
          .tag("reason", reason.label).register(registry);
    }
    FunctionCounter.builder("rtrelay_upstream_warm_hits", warm, WarmStats::hits)
        .description("Relayed session starts that sent their upgrade on a warm upstream connection")
        .register(registry);
    FunctionCounter.builder("rtrelay_upstream_warm_misses", warm, WarmStats::misses)
        .description("Session starts of deployments with warm_connections that found none ready and dialled")
        .register(registry);
    FunctionCounter.builder("rtrelay_upstream_warm_refreshed", warm, WarmStats::refreshedCount)
        .description("Warm connections closed at warm_connection_max_age_seconds (and replaced while in use)")
        .register(registry);
    Gauge.builder("rtrelay_upstream_warm_connections", warm, WarmStats::idle)
        .description("Upstream connections connected and held ready (no request sent)").register(registry);
    Timer warmAge = Timer.builder("rtrelay_upstream_warm_age_at_use").description("Age of a warm connection when a "
        + "session took it").publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(120)).register(registry);
    warm.onAgeAtUse(nanos -> warmAge.record(nanos, TimeUnit.NANOSECONDS));
    for (boolean ok : new boolean[] {true, false}) {
      FunctionCounter.builder("rtrelay_google_token_fetches", googleTokens, t -> t.fetchCount(ok))
          .description("Vertex AI access tokens fetched from the token endpoint (once per credential, refreshed in "
              + "the background)").tag("outcome", ok ? "ok" : "error").register(registry);
    }
    FunctionCounter.builder("rtrelay_logger_set_aside", loggers, LoggerDirectory::setAsideCount)
        .description("Times a logger was left out for 10 s for not acknowledging a batch in time").register(registry);
    Gauge.builder("rtrelay_loggers_available", loggers, LoggerDirectory::availableCount)
        .description("Logger nodes heard from in the last 3 s and not left out (0: batches go to any registered "
            + "logger)").register(registry);
    ClusterQuorum quorum = limits.quorum();
    Gauge.builder("rtrelay_cluster_members", quorum, ClusterQuorum::members)
        .description("Cluster members this node sees (1 when not clustered)").register(registry);
    Gauge.builder("rtrelay_cluster_quorum", quorum, ClusterQuorum::minimum)
        .description("Members needed for keys with limits to be admitted here (0: no quorum configured)")
        .register(registry);
    Gauge.builder("rtrelay_cluster_quorum_present", quorum, q -> q.present() ? 1 : 0)
        .description("1 while this node may admit keys with limits (quorum seen, membership view current)")
        .register(registry);
    FunctionCounter.builder("rtrelay_log_batches_resent", events, EventStats::resentCount)
        .description("Session-event batches sent again because no logger acknowledged them").register(registry);
    FunctionCounter.builder("rtrelay_log_events_truncated", events, EventStats::truncatedCount)
        .description("Events recorded as type and size only, being over relay_settings.max_logged_event_bytes")
        .register(registry);
  }

  public FrameMeters clientToUpstream() {
    return clientToUpstream;
  }

  public FrameMeters upstreamToClient() {
    return upstreamToClient;
  }

  /** HTTP methods counted by name; any other method a client makes up is counted as {@code other}. */
  private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "POST", "PUT", "DELETE", "PATCH",
      "HEAD", "OPTIONS", "CONNECT", "TRACE");
  /** Status codes the relay answers with; any other (a provider's, passed through) is counted by its class. */
  private static final java.util.Set<Integer> CODES = java.util.Set.of(101, 200, 201, 204, 400, 401, 403, 404, 405,
      408, 413, 415, 426, 429, 500, 501, 502, 503, 504);

  /**
   * One HTTP request answered on the public port. Every label is bounded: the route is one of the relay's own, the
   * method one of the standard ones or {@code other}, the code one the relay uses or its class ({@code 4xx}).
   */
  public void httpRequest(String route, String method, int status) {
    Counter.builder("rtrelay_http_requests").description("HTTP requests answered, upgrades included")
        .tags("route", route, "method", METHODS.contains(method) ? method : "other",
            "code", CODES.contains(status) ? Integer.toString(status) : (status / 100) + "xx")
        .register(registry).increment();
  }

  /** One response's voice latency on a configured deployment (anything else, e.g. a warm-up's, is not recorded). */
  public void voiceLatency(DeploymentState deployment, ResponseLatency figures) {
    DeploymentMeters meters = deployments.get(key(deployment.config().modelName(), deployment.config().id()));
    if (meters != null) {
      meters.latency().record(figures);
    }
  }

  /**
   * Registers the meters of deployments the router has now and removes those of deployments it no longer has (after a
   * config reload), so the label set stays the config's.
   */
  public synchronized void deploymentsChanged() {
    java.util.Set<String> present = new java.util.HashSet<>();
    for (String alias : router.aliases()) {
      ModelGroup group = router.group(alias).orElseThrow();
      for (DeploymentState d : group.deployments()) {
        String key = key(alias, d.config().id());
        present.add(key);
        deployments.computeIfAbsent(key, k -> {
          Tags tags = modelDeployment(alias, d);
          String id = d.config().id();
          Gauge live = Gauge.builder("rtrelay_sessions_live", router, r -> r.liveSessions(id))
              .description("Realtime sessions open on this node").tags(tags).register(registry);
          return new DeploymentMeters(live, new LatencyMeters(registry, tags));
        });
      }
    }
    deployments.entrySet().removeIf(e -> {
      if (present.contains(e.getKey())) {
        return false;
      }
      e.getValue().removeFrom(registry);
      return true;
    });
  }

  private static String key(String alias, String deploymentId) {
    return alias + '\u0000' + deploymentId;
  }

  /** The meters labelled with one deployment. */
  private record DeploymentMeters(Gauge live, LatencyMeters latency) {
    void removeFrom(MeterRegistry registry) {
      registry.remove(live);
      latency.removeFrom(registry);
    }
  }

  /** The three latency histograms of one deployment. */
  private static final class LatencyMeters {
    private final Timer firstAudio;
    private final Timer firstText;
    private final Timer duration;

    LatencyMeters(MeterRegistry registry, Tags tags) {
      firstAudio = timer(registry, "rtrelay_time_to_first_audio", "From the end of the user's turn to the "
          + "response's first audio delta", tags);
      firstText = timer(registry, "rtrelay_time_to_first_text", "From the end of the user's turn to the "
          + "response's first text or transcript delta", tags);
      duration = timer(registry, "rtrelay_response_duration", "From response.created to response.done", tags);
    }

    void removeFrom(MeterRegistry registry) {
      registry.remove(firstAudio);
      registry.remove(firstText);
      registry.remove(duration);
    }

    private static Timer timer(MeterRegistry registry, String name, String description, Tags tags) {
      return Timer.builder(name).description(description).tags(tags).publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofSeconds(60))
          .register(registry);
    }

    void record(ResponseLatency f) {
      if (f.firstAudioNanos() >= 0) {
        firstAudio.record(f.firstAudioNanos(), TimeUnit.NANOSECONDS);
      }
      if (f.firstTextNanos() >= 0) {
        firstText.record(f.firstTextNanos(), TimeUnit.NANOSECONDS);
      }
      duration.record(f.durationNanos(), TimeUnit.NANOSECONDS);
    }
  }

  public void sessionOpened(String alias, String deploymentId) {
    Counter.builder("rtrelay_sessions_opened").description("Realtime sessions opened")
        .tags("model", alias, "deployment", deploymentId).register(registry).increment();
  }

  /** @param code the close code seen, or null when the connection dropped without one */
  public void sessionClosed(String alias, String closedBy, Integer code) {
    Counter.builder("rtrelay_sessions_closed").description("Realtime sessions closed, by who closed and close code")
        .tags("model", alias, "closed_by", closedBy, "code", closeCodeLabel(code))
        .register(registry).increment();
  }

  /**
   * A close code as a label: the protocol's own codes by number, application codes (3000-4999, which any client may
   * pick) by range, so a client cannot add series.
   */
  static String closeCodeLabel(Integer code) {
    if (code == null) {
      return "none";
    }
    if (code >= 3000 && code <= 4999) {
      return code < 4000 ? "3xxx" : "4xxx";
    }
    return code >= 1000 && code <= 1015 ? Integer.toString(code) : "other";
  }

  public void upstreamConnected(String deploymentId, long nanos) {
    Timer.builder("rtrelay_upstream_connect").description("Upstream WebSocket handshake time, successful attempts")
        .tag("deployment", deploymentId).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** @param reason bounded: rate_limited, http_4xx, http_5xx, timeout, connect_error */
  public void upstreamFailed(String deploymentId, String reason) {
    Counter.builder("rtrelay_upstream_connect_failures").description("Failed upstream handshakes")
        .tags("deployment", deploymentId, "reason", reason).register(registry).increment();
  }

  public void failover(String alias) {
    Counter.builder("rtrelay_failovers").description("Moves to the next deployment after a failed handshake")
        .tag("model", alias).register(registry).increment();
  }

  /** A translated session replaced its provider connection (e.g. at Gemini's connection time limit). */
  public void upstreamRenewed(String deploymentId) {
    Counter.builder("rtrelay_upstream_renewals").description("Provider connections renewed mid-session")
        .tag("deployment", deploymentId).register(registry).increment();
  }

  public void cooldown(String deploymentId) {
    Counter.builder("rtrelay_cooldowns").description("Deployments put in cooldown after consecutive failures")
        .tag("deployment", deploymentId).register(registry).increment();
  }

  /** Registers meters for label values first seen since the last scrape (guardrails that blocked, billed models). */
  public void refresh() {
    guardrails.snapshot().forEach((labels, count) -> FunctionCounter.builder("rtrelay_guardrail_blocks", guardrails,
            g -> g.blocks(labels[0], labels[1]))
        .description("Messages blocked by guardrails (the session is then closed)")
        .tags("guardrail", labels[0], "mode", labels[1]).register(registry));
    guardrails.decisions().forEach((name, d) -> FunctionTimer.builder("rtrelay_guardrail_decision", guardrails,
            g -> g.decision(name)[1], g -> g.decision(name)[0], TimeUnit.NANOSECONDS)
        .description("Time guardrails took to decide").tag("guardrail", name).register(registry));
    cost.snapshot().forEach((alias, s) -> {
      FunctionCounter.builder("rtrelay_cost_usd", cost, c -> c.totals(alias).cost().doubleValue())
          .description("Spend computed from response.done usage (deployments without prices add 0)")
          .tag("model", alias).register(registry);
      FunctionCounter.builder("rtrelay_responses_billed", cost,
              c -> c.totals(alias).responses() - c.totals(alias).unpriced())
          .description("Responses billed").tags("model", alias, "priced", "true").register(registry);
      FunctionCounter.builder("rtrelay_responses_billed", cost, c -> c.totals(alias).unpriced())
          .description("Responses billed").tags("model", alias, "priced", "false").register(registry);
      tokens(alias, "input_text", u -> u.inputTextTokens());
      tokens(alias, "input_audio", u -> u.inputAudioTokens());
      tokens(alias, "input_image", u -> u.inputImageTokens());
      tokens(alias, "cached_input", u -> u.cachedTokens());
      tokens(alias, "output_text", u -> u.outputTextTokens());
      tokens(alias, "output_audio", u -> u.outputAudioTokens());
    });
  }

  private void tokens(String alias, String kind,
      java.util.function.ToLongFunction<dev.rtrelay.relay.cost.ResponseUsage> field) {
    FunctionCounter.builder("rtrelay_tokens", cost, c -> field.applyAsLong(c.totals(alias).usage()))
        .description("Tokens from response.done usage (cached_input is a subset of input)")
        .tags("model", alias, "kind", kind).register(registry);
  }

  private static Tags modelDeployment(String alias, DeploymentState d) {
    return Tags.of("model", alias, "deployment", d.config().id());
  }
}
