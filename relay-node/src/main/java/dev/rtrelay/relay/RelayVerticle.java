package dev.rtrelay.relay;

import dev.rtrelay.relay.auth.ClientCredentials;
import dev.rtrelay.relay.config.RelaySettings;
import dev.rtrelay.relay.events.EventBusSink;
import dev.rtrelay.relay.events.EventSink;
import dev.rtrelay.relay.http.HttpDispatcher;
import dev.rtrelay.relay.http.RequestDeadlines;
import dev.rtrelay.relay.http.ModelsEndpoint;
import dev.rtrelay.relay.upstream.UpstreamConnector;
import dev.rtrelay.relay.upstream.UpstreamDialer;
import dev.rtrelay.relay.upstream.bedrock.BedrockLink;
import dev.rtrelay.relay.webrtc.CallsEndpoint;
import dev.rtrelay.relay.webrtc.ClientSecretsEndpoint;
import dev.rtrelay.relay.webrtc.SignInServices;
import dev.rtrelay.relay.ws.Billing;
import dev.rtrelay.relay.ws.RealtimeEndpoint;
import dev.rtrelay.relay.ws.SessionLogging;
import dev.rtrelay.relay.ws.SessionRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One relay instance: an HTTP server for {@code /v1/realtime} and friends, and its own upstream WebSocket client, so
 * a session's two sockets live on the same event loop and frames never hop threads.
 */
final class RelayVerticle extends VerticleBase {
  private final NodeServices services;
  private final ServerOptions serverOptions;
  private final SessionRegistry registry = new SessionRegistry();
  private HttpServer server;
  private WebSocketClient upstreamClient;
  private HttpClient httpClient;
  private long pingTimer = -1;
  private RequestDeadlines deadlines;
  private EventBusSink eventSink;
  private UpstreamDialer dialer;
  private MessageConsumer<String> budgetConsumer;

  RelayVerticle(NodeServices services, ServerOptions serverOptions) {
    this.services = services;
    this.serverOptions = serverOptions;
  }

  @Override
  public Future<?> start() {
    RelaySettings settings = services.config().current().relay();
    upstreamClient = vertx.createWebSocketClient(upstreamClientOptions(settings));
    dialer = new UpstreamDialer(vertx, upstreamSocketOptions(settings), services.warmStats());
    UpstreamConnector connector = new UpstreamConnector(upstreamClient,
        dialer, services.router(), services.simulatedBase(),
        (long) (settings.upstreamConnectTimeoutSeconds() * 1000), settings.maxMessageBytes(), services.relayMetrics(),
        services.googleTokens(), d -> BedrockLink.open(vertx, services.bedrockClients(), d,
            Math.min(3_000, (long) (settings.upstreamConnectTimeoutSeconds() * 1000))));
    EventSink sink = EventSink.DISABLED;
    if (services.publishEvents()) {
      eventSink = new EventBusSink(vertx, services.eventLog(), services.eventStats(), services.loggers());
      eventSink.start();
      sink = eventSink;
    }
    budgetConsumer = vertx.eventBus().<String>consumer(Billing.BUDGET_EXHAUSTED_ADDRESS,
        message -> registry.closeKeyOverBudget(message.body()));
    RealtimeEndpoint realtime = new RealtimeEndpoint(vertx, services.authenticator(), services.limits(), services.router(),
        connector, settings, registry, new SessionLogging(sink, services.eventLog(), services.nodeId()),
        services.guardrails(), services.guardrailStats(),
        new Billing(services.costStats(), services.limits(), vertx.eventBus()), services.drain(),
        services.relayMetrics(), services.quiet(), services.authBrake());
    long webRtcTimeout = (long) (settings.upstreamConnectTimeoutSeconds() * 1000);
    httpClient = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) webRtcTimeout).setKeepAliveTimeout(30), new PoolOptions().setHttp1MaxSize(64));
    SignInServices signIn = new SignInServices(services.authenticator(), services.authBrake(), services.router(),
        services.limits(),
        services.callTokens(), httpClient, services.simulatedBase(), webRtcTimeout);
    HttpDispatcher dispatcher = new HttpDispatcher(realtime,
        new ClientSecretsEndpoint(signIn, Clock.systemUTC()),
        new CallsEndpoint(signIn),
        new ModelsEndpoint(services.authenticator(), services.router(), services.authBrake()),
        services.relayMetrics());
    if (settings.pingIntervalSeconds() > 0) {
      pingTimer = vertx.setPeriodic(TimeUnit.SECONDS.toMillis(settings.pingIntervalSeconds()), id -> registry.pingAll());
    }
    deadlines = new RequestDeadlines(vertx, settings.handshakeTimeoutSeconds() * 1000L);
    server = vertx.createHttpServer(serverOptions(settings)).connectionHandler(deadlines::opened)
        .requestHandler(request -> {
          deadlines.arrived(request);
          dispatcher.handle(request);
        });
    // Registered cluster-wide before listening, so no session can open on a node that would miss the notice.
    return budgetConsumer.completion().compose(v -> server.listen(serverOptions.port(), serverOptions.host()));
  }

  int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
    }
    registry.closeAll("relay shutting down");
    // A session leaves the registry once both its connections are closed (close frames out, or cut after the 5 s
    // grace); their session.closed records must be in the sink's last batch.
    Future<Void> ended = registry.whenEmpty().timeout(6, TimeUnit.SECONDS).otherwiseEmpty();
    // The last batches must be acknowledged before the node's Vert.x instance (and its cluster connections) closes.
    return ended.compose(v -> eventSink == null ? Future.<Void>succeededFuture() : eventSink.stop())
        .compose(v -> server.close()).eventually(() -> {
          dialer.close();
          return upstreamClient.close();
        }).eventually(() -> httpClient.close())
        .eventually(() -> budgetConsumer.unregister());
  }

  private HttpServerOptions serverOptions(RelaySettings settings) {
    HttpServerOptions options = new HttpServerOptions()
        .setMaxWebSocketFrameSize(settings.maxMessageBytes())
        .setMaxWebSocketMessageSize(settings.maxMessageBytes())
        // Netty then selects exactly "realtime" when offered and nothing otherwise; the key-bearing entry is never
        // echoed. Offers without "realtime" are refused before this point.
        .setWebSocketSubProtocols(List.of(ClientCredentials.REALTIME_SUBPROTOCOL))
        .setPerMessageWebSocketCompressionSupported(settings.perMessageDeflate())
        .setPerFrameWebSocketCompressionSupported(settings.perMessageDeflate())
        // WebRTC sign-in: SDP offers and session configs arrive as multipart form fields of a few KiB.
        .setMaxFormAttributeSize(1 << 20)
        .setMaxFormBufferedBytes(1 << 20)
        .setTcpNoDelay(true)
        // Cleartext HTTP/2 is not served: without it the connection handler runs as soon as a socket opens, which
        // starts its request-head deadline (RequestDeadlines); with it, only once the head has been parsed.
        .setHttp2ClearTextEnabled(false)
        .setSslHandshakeTimeout(settings.handshakeTimeoutSeconds()).setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    int silence = silenceLimitSeconds(settings);
    if (silence > 0) {
      options.setReadIdleTimeout(silence).setIdleTimeoutUnit(TimeUnit.SECONDS);
    }
    if (serverOptions.tls()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(serverOptions.tlsCert().get().toString())
          .setKeyPath(serverOptions.tlsKey().orElseThrow().toString()));
    }
    return options;
  }

  /**
   * How long a connection may send nothing before it is closed: with pings on, three intervals (a live peer answers
   * each ping); with pings off, {@code idle_timeout_seconds}, so that silent sockets are bounded either way.
   */
  static int silenceLimitSeconds(RelaySettings settings) {
    return settings.pingIntervalSeconds() > 0 ? settings.pingIntervalSeconds() * 3 : settings.idleTimeoutSeconds();
  }

  /** Relayed sessions' upstream sockets: raw TCP or TLS, upgraded by the relay itself. */
  private static NetClientOptions upstreamSocketOptions(RelaySettings settings) {
    NetClientOptions options = new NetClientOptions()
        .setTcpNoDelay(true)
        .setConnectTimeout((int) (settings.upstreamConnectTimeoutSeconds() * 1000));
    if (silenceLimitSeconds(settings) > 0) {
      options.setReadIdleTimeout(silenceLimitSeconds(settings)).setIdleTimeoutUnit(TimeUnit.SECONDS);
    }
    return options;
  }

  private static WebSocketClientOptions upstreamClientOptions(RelaySettings settings) {
    WebSocketClientOptions options = new WebSocketClientOptions()
        .setMaxFrameSize(settings.maxMessageBytes())
        .setMaxMessageSize(settings.maxMessageBytes())
        // The default (50 per host) would cap a node at 50 sessions per provider.
        .setMaxConnections(1_000_000)
        .setTcpNoDelay(true)
        .setConnectTimeout((int) (settings.upstreamConnectTimeoutSeconds() * 1000));
    if (silenceLimitSeconds(settings) > 0) {
      options.setReadIdleTimeout(silenceLimitSeconds(settings)).setIdleTimeoutUnit(TimeUnit.SECONDS);
    }
    return options;
  }
}
