package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.events.SessionEventLog;
import dev.rtrelay.relay.guardrails.CheckContext;
import dev.rtrelay.relay.guardrails.ClientGate;
import dev.rtrelay.relay.guardrails.Guardrail;
import dev.rtrelay.relay.guardrails.GuardrailBlocked;
import dev.rtrelay.relay.guardrails.GuardrailStats;
import dev.rtrelay.relay.guardrails.OutputCheck;
import dev.rtrelay.relay.guardrails.TurnHold;
import dev.rtrelay.relay.metrics.RelayMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client socket bound to one upstream socket. Frames flow both ways through {@link FramePump}s; whichever side
 * closes first has its close code and reason propagated to the other; {@code onEnd} runs exactly once.
 */
public final class RelaySession implements LiveSession {
  private static final Logger LOG = LoggerFactory.getLogger(RelaySession.class);

  private final SessionContext context;
  private final SocketPair sockets;
  private final ServerWebSocket client;
  private final WebSocket upstream;
  private final FramePump clientToUpstream;
  private final FramePump upstreamToClient;
  private final Runnable onEnd;
  private final SessionEventLog eventLog;
  private final GuardrailStats guardrailStats;
  private final ResponseBilling billing;
  private final RelayMetrics metrics;
  private final long startedNanos = System.nanoTime();
  private boolean ended;
  private boolean closedByRelay;

  /**
   * @param eventLog null when event logging is off: then no frame is inspected for logging
   * @param clientGate holds and checks certain client messages (pre_call guardrails, strict turn holding), or null
   * @param outputGuardrails its during_call / post_call guardrails (possibly empty)
   * @param turnHold strict during_call: the gate that keeps the model from answering unchecked turns, or null
   * @param billing bills every response.done (whether or not event logging is on)
   */
  RelaySession(SessionContext context, ServerWebSocket client, WebSocket upstream, int maxMessageBytes,
      SessionEventLog eventLog, ClientGate clientGate, List<Guardrail> outputGuardrails, TurnHold turnHold,
      CheckContext checkContext, GuardrailStats guardrailStats, ResponseBilling billing,
      RelayMetrics metrics, Runnable onEnd) {
    this.metrics = metrics;
    this.context = context;
    this.sockets = new SocketPair(client, upstream);
    this.billing = billing;
    this.client = client;
    this.upstream = upstream;
    this.onEnd = onEnd;
    this.eventLog = eventLog;
    this.guardrailStats = guardrailStats;
    OutputCheck output = outputGuardrails.isEmpty() ? null
        : new OutputCheck(outputGuardrails, checkContext, guardrailStats, this::gateFailed,
            turnHold == null ? null : () -> sendUpstream("{\"type\":\"response.create\"}"));
    this.clientToUpstream = new FramePump(client, upstream, maxMessageBytes, () -> tooBig(Direction.CLIENT_TO_UPSTREAM),
        eventLog == null ? null : eventLog::onClientFrame, clientGate, this::gateFailed, metrics.clientToUpstream());
    this.upstreamToClient = new FramePump(upstream, client, maxMessageBytes, () -> tooBig(Direction.UPSTREAM_TO_CLIENT),
        new UpstreamObserver(eventLog, billing::responseDone, guard(output, turnHold)), null, null,
        metrics.upstreamToClient());
  }

  /** A message the relay itself sends to the model (strict during_call), never shown to guardrails or the client. */
  private void sendUpstream(String message) {
    if (!upstream.isClosed() && !closedByRelay) {
      upstream.writeTextMessage(message);
    }
  }

  /** Output guardrails and strict turn holding, or null when neither is configured. */
  private BiConsumer<String, Buffer> guard(OutputCheck output, TurnHold turnHold) {
    if (output == null && turnHold == null) {
      return null;
    }
    return (type, message) -> {
      if (turnHold != null && type.equals("session.created")) {
        sendUpstream(turnHold.initialUpdate());
      }
      if (output != null && output.wants(type)) {
        output.check(type, message.copy());
      }
    };
  }

  /** Wires both directions, then lets the paused upstream flow (its first events may already be queued). */
  void start(int writeQueueMaxBytes, List<WebSocketFrame> earlyUpstreamFrames) {
    client.setWriteQueueMaxSize(writeQueueMaxBytes);
    upstream.setWriteQueueMaxSize(writeQueueMaxBytes);
    client.closeHandler(v -> onClientClosed());
    upstream.closeHandler(v -> onUpstreamClosed());
    client.exceptionHandler(e -> LOG.debug("session {}: client socket error: {}", context.sessionId(), e.toString()));
    upstream.exceptionHandler(e -> LOG.debug("session {}: upstream socket error: {}", context.sessionId(),
        e.toString()));
    clientToUpstream.start(List.of());
    upstreamToClient.start(earlyUpstreamFrames);
    upstream.resume();
    client.resume();
    // A side that closed while the other was still being upgraded fires no close handler: catch it up now.
    if (upstream.isClosed()) {
      onUpstreamClosed();
    } else if (client.isClosed()) {
      onClientClosed();
    }
  }

  @Override
  public void ping() {
    sockets.ping();
  }

  private void onClientClosed() {
    sockets.passClientClose();
    end("client", client.closeStatusCode(), client.closeReason());
  }

  private void onUpstreamClosed() {
    sockets.passUpstreamClose();
    end("upstream", upstream.closeStatusCode(), upstream.closeReason());
  }

  private void tooBig(Direction direction) {
    LOG.warn("session {}: {} message exceeds the configured maximum; closing with 1009", context.sessionId(),
        direction.label());
    close(CloseCodes.MESSAGE_TOO_BIG, "message too big");
  }

  /**
   * A guardrail blocked a message (the client's, or the provider's in during_call / post_call): the client gets
   * LiteLLM's guardrail error event, then 1011 (the seed docs' contract); the upstream is closed normally. The
   * blocked text is never logged or recorded.
   */
  private void gateFailed(Throwable failure) {
    if (ended || closedByRelay) {
      return;
    }
    if (!(failure instanceof GuardrailBlocked blocked)) {
      LOG.warn("session {}: guardrail check failed ({}); closing", context.sessionId(), failure.toString());
      close(CloseCodes.INTERNAL_ERROR, "guardrail check failed");
      return;
    }
    JsonObject error = GuardrailBlocks.recorded(context.sessionId(), blocked, guardrailStats, eventLog);
    closedByRelay = true;
    if (!client.isClosed()) {
      client.writeTextMessage(error.encode());
      client.close(CloseCodes.INTERNAL_ERROR, "guardrail blocked");
    }
    if (!upstream.isClosed()) {
      upstream.close(CloseCodes.NORMAL, "guardrail blocked");
    }
  }

  @Override
  public String keyId() {
    return context.principal().id();
  }

  /** Tells the client why with an OpenAI-shaped error event, then closes both sides with {@code code}. */
  @Override
  public void closeWithError(String errorType, String message, short code, String reason) {
    if (ended || closedByRelay) {
      return;
    }
    LOG.warn("session {}: closing with {} ({})", context.sessionId(), code, reason);
    if (!client.isClosed()) {
      client.writeTextMessage(ClientErrors.event(errorType, errorType, message).encode());
    }
    close(code, reason);
  }

  /** Closes both sides with the same code; the close handlers then end the session. */
  @Override
  public void close(short code, String reason) {
    closedByRelay = true;
    sockets.closeBoth(code, reason);
  }

  private void end(String closedBy, Short code, String reason) {
    if (ended) {
      return;
    }
    ended = true;
    long millis = (System.nanoTime() - startedNanos) / 1_000_000;
    String by = closedByRelay ? "relay" : closedBy;
    if (eventLog != null) {
      eventLog.closed(new SessionEventLog.Totals(by, code == null ? null : (int) code, reason, millis,
          clientToUpstream.frames(), clientToUpstream.bytes(), upstreamToClient.frames(), upstreamToClient.bytes()),
          billing.cost());
    }
    metrics.sessionClosed(context.modelAlias(), by, code == null ? null : (int) code);
    LOG.info("session {} closed by {} (code {}{}) after {} ms; client->upstream {} frames/{} bytes, "
            + "upstream->client {} frames/{} bytes", context.sessionId(), by, code,
        reason == null || reason.isEmpty() ? "" : ", reason '" + reason + "'", millis, clientToUpstream.frames(),
        clientToUpstream.bytes(), upstreamToClient.frames(), upstreamToClient.bytes());
    onEnd.run();
  }
}
