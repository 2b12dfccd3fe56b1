package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.auth.ClientCredentials;
import dev.rtrelay.relay.auth.KeyAuthenticator;
import dev.rtrelay.relay.auth.Principal;
import dev.rtrelay.relay.config.RelaySettings;
import dev.rtrelay.relay.cost.SessionCost;
import dev.rtrelay.relay.events.SessionEventLog;
import dev.rtrelay.relay.guardrails.CheckContext;
import dev.rtrelay.relay.guardrails.Guardrail;
import dev.rtrelay.relay.guardrails.GuardrailMode;
import dev.rtrelay.relay.guardrails.GuardrailRegistry;
import dev.rtrelay.relay.guardrails.GuardrailStats;
import dev.rtrelay.relay.guardrails.PreCallCheck;
import dev.rtrelay.relay.guardrails.TurnHold;
import dev.rtrelay.relay.http.AuthBrake;
import dev.rtrelay.relay.http.DrainState;
import dev.rtrelay.relay.http.HttpErrors;
import dev.rtrelay.relay.http.RefusalLog;
import dev.rtrelay.relay.http.RelayException;
import dev.rtrelay.relay.limits.KeyLimits;
import dev.rtrelay.relay.metrics.RelayMetrics;
import dev.rtrelay.relay.routing.DeploymentState;
import dev.rtrelay.relay.routing.DeploymentRouter;
import dev.rtrelay.relay.routing.ModelGroup;
import dev.rtrelay.relay.translate.Translator;
import dev.rtrelay.relay.translate.Translators;
import dev.rtrelay.relay.upstream.UpstreamConnection;
import dev.rtrelay.relay.upstream.UpstreamConnector;
import dev.rtrelay.relay.wire.Handshakes;
import dev.rtrelay.relay.wire.RawConnection;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/realtime?model=ALIAS}: authenticates, routes and connects upstream <em>before</em> accepting the
 * client's upgrade, so every refusal is a plain HTTP error with a JSON body that SDKs can surface (rather than an
 * accept-then-close that clients report as a bare 1006/1008).
 */
public final class RealtimeEndpoint implements Handler<HttpServerRequest> {
  /** Response header of the upgrade naming the session id used in logs and Kafka records. */
  public static final String SESSION_ID_HEADER = "x-rtrelay-session-id";
  private static final Logger LOG = LoggerFactory.getLogger(RealtimeEndpoint.class);

  private final KeyAuthenticator authenticator;
  private final KeyLimits limits;
  private final DeploymentRouter router;
  private final UpstreamConnector connector;
  private final RelaySettings settings;
  private final SessionRegistry registry;
  private final SessionLogging logging;
  private final GuardrailRegistry guardrails;
  private final GuardrailStats guardrailStats;
  private final Billing billing;
  private final DrainState drain;
  private final RelayMetrics metrics;
  private final Vertx vertx;
  private final boolean quiet;
  private final AuthBrake brake;

  public RealtimeEndpoint(Vertx vertx, KeyAuthenticator authenticator, KeyLimits limits, DeploymentRouter router,
      UpstreamConnector connector, RelaySettings settings, SessionRegistry registry, SessionLogging logging,
      GuardrailRegistry guardrails, GuardrailStats guardrailStats, Billing billing, DrainState drain,
      RelayMetrics metrics, boolean quiet, AuthBrake brake) {
    this.brake = brake;
    this.vertx = vertx;
    this.quiet = quiet;
    this.metrics = metrics;
    this.drain = drain;
    this.billing = billing;
    this.guardrails = guardrails;
    this.guardrailStats = guardrailStats;
    this.authenticator = authenticator;
    this.limits = limits;
    this.router = router;
    this.connector = connector;
    this.settings = settings;
    this.registry = registry;
    this.logging = logging;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (!request.canUpgradeToWebSocket()) {
      request.response().putHeader(HttpHeaders.UPGRADE, "websocket");
      HttpErrors.respond(request, new RelayException(426, "invalid_request_error",
          "/v1/realtime is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket)"));
      return;
    }
    if (!"13".equals(request.getHeader("sec-websocket-version"))) {
      // RFC 6455 §4.4: name the version this server speaks.
      request.response().putHeader("sec-websocket-version", "13");
      HttpErrors.respond(request, new RelayException(426, "invalid_request_error",
          "Only WebSocket version 13 (RFC 6455) is supported"));
      return;
    }
    if (!Handshakes.validKey(request.getHeader("sec-websocket-key"))) {
      HttpErrors.respond(request, RelayException.badRequest(
          "Sec-WebSocket-Key must be 16 random bytes, base64-encoded (RFC 6455 §4.1)"));
      return;
    }
    if (drain.draining()) {
      HttpErrors.respond(request, DrainState.refusal());
      return;
    }
    // Paused now, synchronously: the upgrade happens after asynchronous work, and toWebSocket() fails on a request
    // whose (empty) body was already consumed.
    request.pause();
    String sessionId = "rs_" + UUID.randomUUID().toString().replace("-", "");
    Admission admission;
    try {
      admission = admit(request);
    } catch (RelayException e) {
      RefusalLog.refused("session " + sessionId, e);
      HttpErrors.respond(request, e);
      return;
    }
    Optional<String> beta = Optional.ofNullable(request.getHeader("openai-beta"));
    // The key's shared limits are checked (and the session counted) before any upstream work is spent on it.
    limits.openSession(admission.principal()).onComplete(leased -> {
      if (leased.failed()) {
        refuse(request, sessionId, leased.cause());
        return;
      }
      KeyLimits.Lease lease = leased.result();
      connector.connect(admission.group(), beta, sessionId).onComplete(ar -> {
        if (ar.failed()) {
          lease.release();
          refuse(request, sessionId, ar.cause());
          return;
        }
        UpstreamConnection upstream = ar.result();
        if (upstream.link() != null && holdsResponses(admission.guardrails())) {
          // Never run a session without the guardrails it should have: refuse it instead.
          upstream.close(CloseCodes.NORMAL, "not used");
          lease.release();
          refuse(request, sessionId, new RelayException(501, "invalid_request_error", "Guardrails with "
              + "hold_response_until_checked are not supported for " + upstream.deployment().config().provider()
              .prefix() + "/ deployments (deployment " + upstream.deployment().config().id() + "): the provider "
              + "has no way to wait for the relay before answering a spoken turn"));
          return;
        }
        upgrade(request, sessionId, admission, lease, upstream);
      });
    });
  }

  private static boolean holdsResponses(List<Guardrail> guardrails) {
    return guardrails.stream().anyMatch(g -> g.holdsResponse() && g.modes().contains(GuardrailMode.DURING_CALL));
  }

  private static void refuse(HttpServerRequest request, String sessionId, Throwable cause) {
    RelayException error = cause instanceof RelayException r ? r
        : new RelayException(502, "upstream_error", "Upstream connection failed");
    RefusalLog.refused("session " + sessionId, error);
    HttpErrors.respond(request, error);
  }

  private Admission admit(HttpServerRequest request) {
    ClientCredentials credentials = ClientCredentials.from(request.headers());
    credentials.requireRealtimeSubprotocolIfAnyOffered();
    Principal principal = brake.guard(request, () -> authenticator.authenticate(credentials.key()));
    String alias = request.getParam("model");
    if (alias == null || alias.isBlank()) {
      throw RelayException.badRequest("Missing query parameter 'model': connect to /v1/realtime?model=<model_name>");
    }
    ModelGroup group = router.group(alias).orElseThrow(() -> RelayException.notFound(
        "Model '" + alias + "' is not configured on this relay; GET /v1/models lists the models your key may use"));
    if (!principal.mayUse(alias)) {
      throw RelayException.forbidden("Key '" + principal.id() + "' is not allowed to use model '" + alias + "'");
    }
    List<Guardrail> chosen = sessionGuardrails(principal, request.getParam("guardrails"));
    return new Admission(principal, credentials, group, chosen);
  }

  /**
   * The session's guardrails: default_on ones, the key's and team's, and those named in {@code ?guardrails=a,b}
   * (which can add guardrails, never remove one).
   */
  private List<Guardrail> sessionGuardrails(Principal principal, String requestedParam) {
    List<String> requested = new ArrayList<>();
    if (requestedParam != null) {
      for (String name : requestedParam.split(",")) {
        if (!name.isBlank()) {
          requested.add(name.trim());
        }
      }
    }
    return guardrails.forSession(principal.guardrails(), requested).orElseThrow(() -> {
      String unknown = requested.stream().filter(n -> !guardrails.contains(n)).findFirst().orElse("?");
      return RelayException.badRequest("Unknown guardrail '" + unknown + "' in ?guardrails=");
    });
  }

  private void upgrade(HttpServerRequest request, String sessionId, Admission admission, KeyLimits.Lease lease,
      UpstreamConnection upstream) {
    router.sessionStarted(upstream.deployment());
    metrics.sessionOpened(admission.group().alias(), upstream.deployment().config().id());
    Runnable release = () -> {
      router.sessionEnded(upstream.deployment());
      lease.release();
    };
    SessionContext context = new SessionContext(sessionId, admission.group().alias(), admission.principal(),
        upstream.deployment().config().id(), quiet);
    HttpServerResponse response = request.response();
    // Lets clients and operators correlate a connection with its logs and Kafka records.
    response.putHeader(SESSION_ID_HEADER, sessionId);
    try {
      if (upstream.link() != null) {
        request.toWebSocket()
            // Vert.x writes this 101 itself, past the dispatcher's response counter.
            .onSuccess(client -> metrics.httpRequest("realtime", "GET", 101))
            .onSuccess(client -> bindTranslated(client, request, admission, upstream, context, release))
            .onFailure(error -> abandon(context, upstream, release, error));
        return;
      }
      // A relayed session leaves Vert.x's WebSocket API: the 101 is written here and the frames pass as bytes. No
      // extension is accepted, so neither side compresses; the subprotocol is exactly "realtime" when offered.
      boolean realtime = admission.credentials().offeredSubprotocols().contains(ClientCredentials.REALTIME_SUBPROTOCOL);
      response.putHeader(HttpHeaders.UPGRADE, "websocket").putHeader(HttpHeaders.CONNECTION, "Upgrade")
          .putHeader("sec-websocket-accept", Handshakes.accept(request.getHeader("sec-websocket-key")));
      if (realtime) {
        response.putHeader("sec-websocket-protocol", ClientCredentials.REALTIME_SUBPROTOCOL);
      }
      request.toNetSocket()
          .map(socket -> RawConnection.takeOver(socket, "client"))
          .onSuccess(client -> bindRelayed(client, request, admission, upstream, context, release,
              realtime ? ClientCredentials.REALTIME_SUBPROTOCOL : null))
          .onFailure(error -> abandon(context, upstream, release, error));
    } catch (RuntimeException e) {
      // The upgrade throws rather than failing its Future when the connection is already gone.
      abandon(context, upstream, release, e);
    }
  }

  private void bindRelayed(RawConnection client, HttpServerRequest request, Admission admission,
      UpstreamConnection upstream, SessionContext context, Runnable release, String subprotocol) {
    SessionEventLog eventLog = logging.open(context, request, admission.credentials(), subprotocol);
    SessionHooks hooks = hooks(admission, upstream, context, eventLog, request.getHeader("openai-beta"));
    RelaySession[] holder = new RelaySession[1];
    RelaySession session = new RelaySession(vertx, context, client, upstream.socket(), settings.maxMessageBytes(),
        hooks, metrics, release, () -> registry.remove(holder[0]));
    holder[0] = session;
    registry.add(session);
    if (!quiet) {
      LOG.info("session {} open: key '{}', model '{}', deployment {}", context.sessionId(), context.principal().id(),
          context.modelAlias(), context.deploymentId());
    }
    session.start(settings.writeQueueMaxBytes(), settings.writeStallTimeoutSeconds() * 1000L, upstream.early());
  }

  /** A provider with its own protocol: the session speaks OpenAI Realtime to the client through a translator. */
  private void bindTranslated(ServerWebSocket client, HttpServerRequest request, Admission admission,
      UpstreamConnection upstream, SessionContext context, Runnable release) {
    SessionEventLog eventLog = logging.open(context, request, admission.credentials(), client.subProtocol());
    String beta = request.getHeader("openai-beta");
    SessionHooks hooks = hooks(admission, upstream, context, eventLog, beta);
    Translator translator = Translators.forDeployment(upstream.deployment().config(), context.sessionId(),
        beta != null && beta.contains("realtime=v1"));
    TranslatingSession[] holder = new TranslatingSession[1];
    TranslatingSession session = new TranslatingSession(context, client, upstream.link(), translator,
        () -> connector.reconnect(upstream.deployment()).map(UpstreamConnection::link), hooks, metrics,
        () -> {
          registry.remove(holder[0]);
          release.run();
        });
    holder[0] = session;
    registry.add(session);
    LOG.info("session {} open (translated): key '{}', model '{}', deployment {}", context.sessionId(),
        context.principal().id(), context.modelAlias(), context.deploymentId());
    session.start(settings.writeQueueMaxBytes());
  }

  /**
   * The session's hooks, with only what it needs: pre_call guardrails hold the client messages they check, strict
   * during_call guardrails hold turns (relayed sessions only; translated ones were refused them at admission).
   */
  private SessionHooks hooks(Admission admission, UpstreamConnection upstream, SessionContext context,
      SessionEventLog eventLog, String beta) {
    CheckContext checkContext = new CheckContext(context.sessionId(), context.modelAlias(),
        context.principal().id(), context.principal().teamId(), GuardrailMode.PRE_CALL);
    List<Guardrail> preCall = admission.guardrails().stream()
        .filter(g -> g.modes().contains(GuardrailMode.PRE_CALL)).toList();
    List<Guardrail> output = admission.guardrails().stream().filter(g -> g.modes().contains(GuardrailMode.DURING_CALL)
        || g.modes().contains(GuardrailMode.POST_CALL)).toList();
    PreCallCheck preCallCheck = preCall.isEmpty() ? null : new PreCallCheck(preCall, checkContext, guardrailStats);
    TurnHold turnHold = upstream.link() == null && holdsResponses(admission.guardrails())
        ? new TurnHold(preCallCheck, beta != null && beta.contains("realtime=v1")) : null;
    return new SessionHooks(eventLog, billingFor(upstream, eventLog, context), turnHold != null ? turnHold
        : preCallCheck, turnHold, output, checkContext, guardrailStats, voiceLatency(upstream, context));
  }

  /** Times each response when configured (the default); each figure goes to the metrics and the router too. */
  private VoiceLatency voiceLatency(UpstreamConnection upstream, SessionContext context) {
    if (!settings.voiceLatency()) {
      return null;
    }
    DeploymentState deployment = upstream.deployment();
    return new VoiceLatency(System::nanoTime, figures -> {
      metrics.voiceLatency(deployment, figures);
      deployment.responseTimed(figures.firstAudioNanos(), System.nanoTime());
    });
  }

  private ResponseBilling billingFor(UpstreamConnection upstream, SessionEventLog eventLog, SessionContext context) {
    return new ResponseBilling(new SessionCost(upstream.deployment().config().prices()), eventLog,
        bill -> billing.billed(context, bill));
  }

  private static void abandon(SessionContext context, UpstreamConnection upstream, Runnable release, Throwable error) {
    LOG.info("session {}: client went away during the upgrade ({})", context.sessionId(), error.toString());
    upstream.close(CloseCodes.GOING_AWAY, "client went away");
    release.run();
  }

  private record Admission(Principal principal, ClientCredentials credentials, ModelGroup group,
      List<Guardrail> guardrails) {}
}
