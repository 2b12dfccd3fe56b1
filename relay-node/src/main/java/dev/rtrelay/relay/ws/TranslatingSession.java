package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.events.SessionEventLog;
import dev.rtrelay.relay.guardrails.ClientGate;
import dev.rtrelay.relay.guardrails.GuardrailBlocked;
import dev.rtrelay.relay.guardrails.GuardrailStats;
import dev.rtrelay.relay.guardrails.OutputCheck;
import dev.rtrelay.relay.metrics.RelayMetrics;
import dev.rtrelay.relay.translate.Translator;
import dev.rtrelay.relay.upstream.FailureText;
import dev.rtrelay.relay.upstream.ProviderLink;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client socket speaking OpenAI Realtime bound to a provider link speaking another protocol, message by message
 * through a {@link Translator}. The event log, billing, metrics and guardrails see the OpenAI-side events, so a
 * translated session is logged, billed and guarded like a relayed one. The provider link can be replaced mid-session
 * (connection renewal) without the client noticing: client messages are held meanwhile.
 */
final class TranslatingSession implements LiveSession, SessionHooks.Actions {
  private static final Logger LOG = LoggerFactory.getLogger(TranslatingSession.class);
  private static final Buffer PING_PAYLOAD = Buffer.buffer("rtrelay");

  private final SessionContext context;
  private final ServerWebSocket client;
  private final Translator translator;
  private final Supplier<Future<ProviderLink>> reconnect;
  private final SessionHooks hooks;
  private final SessionEventLog eventLog;
  private final RelayMetrics metrics;
  private final Runnable onEnd;
  private final long startedNanos = System.nanoTime();
  private final Translator.Output output = new Translator.Output() {
    @Override
    public void toClient(JsonObject event) {
      sendToClient(event);
    }

    @Override
    public void toUpstream(JsonObject message) {
      sendToProvider(message.encode());
    }

    @Override
    public void toClientEncoded(String type, String json) {
      sendTextToClient(type, json);
    }

    @Override
    public void toUpstreamEncoded(String json) {
      sendToProvider(json);
    }

    @Override
    public void holdClient(boolean hold) {
      translatorHolds = hold;
      if (hold) {
        watchHold();
      } else {
        retire();
      }
      updateClientFlow();
    }

    @Override
    public void renewUpstream(String why) {
      renew(why);
    }
  };
  private ProviderLink link;
  /** The link being replaced: still read until the new one is ready, so nothing it was answering is lost. */
  private ProviderLink retiring;
  private int writeQueueMaxBytes;
  private boolean translatorHolds;
  private boolean checking;
  private boolean clientWriteFull;
  private boolean renewing;
  private long holds;
  /** How long a translator may hold the client waiting for the provider to get ready. */
  private static final long READY_LIMIT_MILLIS = 15_000;
  private int renewals;
  private long framesIn;
  private long bytesIn;
  private long framesOut;
  private long bytesOut;
  private boolean ended;
  private boolean closedByRelay;

  /**
   * @param reconnect opens a fresh link to the same deployment, for connection renewal
   * @param hooks billing, and the event log and guardrails where configured
   */
  TranslatingSession(SessionContext context, ServerWebSocket client, ProviderLink link, Translator translator,
      Supplier<Future<ProviderLink>> reconnect, SessionHooks hooks, RelayMetrics metrics, Runnable onEnd) {
    this.context = context;
    this.client = client;
    this.link = link;
    this.translator = translator;
    this.reconnect = reconnect;
    this.hooks = hooks;
    this.eventLog = hooks.log();
    hooks.bind(this);
    this.metrics = metrics;
    this.onEnd = onEnd;
  }

  void start(int writeQueueMaxBytes) {
    this.writeQueueMaxBytes = writeQueueMaxBytes;
    client.setWriteQueueMaxSize(writeQueueMaxBytes);
    // Backpressure both ways, as for relayed sessions: a full queue pauses the other side's reads.
    client.drainHandler(v -> {
      clientWriteFull = false;
      link.resume();
      if (retiring != null) {
        retiring.resume();
      }
    });
    client.textMessageHandler(this::onClientText);
    client.binaryMessageHandler(b -> sendToClient(ClientErrors.event("invalid_request_error", null,
        "Binary frames are not part of the realtime protocol")));
    client.closeHandler(v -> onClientClosed());
    client.exceptionHandler(e -> LOG.debug("session {}: client socket error: {}", context.sessionId(), e.toString()));
    translator.start(output);
    startLink(link);
    if (!ended) {
      updateClientFlow();
      if (client.isClosed()) {
        onClientClosed();
      }
    }
  }

  /** Wires a link; its messages and close count only while it is the session's current link. */
  private void startLink(ProviderLink l) {
    l.setWriteQueueMaxBytes(writeQueueMaxBytes);
    l.drainHandler(v -> updateClientFlow());
    l.start(message -> {
      if (l == link || l == retiring) {
        translator.fromUpstream(message, output);
      }
    }, closed -> {
      if (l == link) {
        onUpstreamClosed(closed);
      } else if (l == retiring) {
        retiring = null;
      }
    });
    if (clientWriteFull) {
      l.pause();
    }
  }

  /** The client is read only when nothing holds it: the translator, a guardrail check, or a full provider queue. */
  private void updateClientFlow() {
    if (translatorHolds || checking || renewing || link.writeQueueFull()) {
      client.pause();
    } else {
      client.resume();
    }
  }

  private void onClientText(String text) {
    framesIn++;
    bytesIn += text.length();
    metrics.clientToUpstream().frame(text.length());
    String audio = AppendAudio.of(text);
    ClientGate gate = hooks.gate();
    if (audio != null && (gate == null || !gate.wants(AppendAudio.TYPE))) {
      if (eventLog != null) {
        hooks.clientMessage(AppendAudio.TYPE, Buffer.buffer(text));
      }
      translator.appendAudio(audio, output);
      return;
    }
    JsonObject event;
    try {
      event = new JsonObject(text);
    } catch (RuntimeException e) {
      sendToClient(ClientErrors.event("invalid_request_error", null, "Client message is not a JSON object"));
      return;
    }
    String type = event.getValue("type") instanceof String t ? t : "";
    if (gate != null && gate.wants(type)) {
      check(type, text);
      return;
    }
    translate(type, event, text);
  }

  /** pre_call guardrails: the client is paused while its message is checked, so nothing overtakes it. */
  private void check(String type, String text) {
    checking = true;
    updateClientFlow();
    hooks.gate().check(text).onComplete(ar -> {
      checking = false;
      if (ended) {
        return;
      }
      if (ar.failed()) {
        gateFailed(ar.cause());
        return;
      }
      JsonObject checked;
      try {
        checked = new JsonObject(ar.result());
      } catch (RuntimeException e) {
        gateFailed(e);
        return;
      }
      translate(type, checked, ar.result());
      if (!ended) {
        updateClientFlow();
      }
    });
  }

  private void translate(String type, JsonObject event, String text) {
    hooks.clientType(type);
    if (eventLog != null && !type.isEmpty()) {
      hooks.clientMessage(type, Buffer.buffer(text));
    }
    translator.fromClient(event, output);
  }

  private void sendToClient(JsonObject event) {
    String type = event.getString("type", "");
    if ((client.isClosed() || closedByRelay) && !type.equals("response.done")) {
      return;
    }
    sendTextToClient(type, event.encode());
  }

  /** One event, encoded once: audio deltas come through here at frame rate. */
  private void sendTextToClient(String type, String text) {
    boolean responseDone = type.equals("response.done");
    boolean closed = client.isClosed() || closedByRelay;
    if (closed && !responseDone) {
      return;
    }
    if (responseDone) {
      // Billed even when the client is gone: the provider did the work, and the translator has handed the usage on.
      if (closed) {
        hooks.billing().responseDone(Buffer.buffer(text));
        return;
      }
    }
    hooks.upstreamType(type);
    if (hooks.wantsUpstream(type)) {
      hooks.upstreamMessage(type, Buffer.buffer(text));
    }
    framesOut++;
    bytesOut += text.length();
    metrics.upstreamToClient().frame(text.length());
    client.writeTextMessage(text);
    if (client.writeQueueFull()) {
      clientWriteFull = true;
      link.pause();
      if (retiring != null) {
        retiring.pause();
      }
    }
  }

  /** A message the relay itself sends to the model, in OpenAI's protocol: translated like a client's. */
  @Override
  public void sendUpstream(String json) {
    if (!ended && !closedByRelay) {
      translator.fromClient(new JsonObject(json), output);
    }
  }

  private void sendToProvider(String message) {
    if (link.isClosed() || closedByRelay || renewing) {
      return;
    }
    link.send(message);
    if (link.writeQueueFull()) {
      client.pause();
    }
  }

  /** Replaces the provider link; the client's messages wait (paused) until the translator is ready again. */
  private void renew(String why) {
    if (renewing || ended || closedByRelay) {
      return;
    }
    renewing = true;
    updateClientFlow();
    ProviderLink old = link;
    long started = System.nanoTime();
    LOG.info("session {}: renewing the provider connection ({})", context.sessionId(), why);
    reconnect.get().onComplete(ar -> {
      renewing = false;
      if (ended || closedByRelay || client.isClosed()) {
        if (ar.succeeded()) {
          ar.result().close(CloseCodes.NORMAL, "session ended");
        }
        return;
      }
      if (ar.failed()) {
        LOG.warn("session {}: provider connection could not be renewed: {}", context.sessionId(),
            FailureText.describe(ar.cause()));
        askClientToReconnect(old, "the provider connection could not be renewed", true);
        return;
      }
      retire();
      link = ar.result();
      // The old link is still read until the new one is ready (the translator stops holding the client): a
      // response it was giving when the renewal began still reaches the client. Its close no longer ends anything.
      retiring = old;
      renewals++;
      long millis = (System.nanoTime() - started) / 1_000_000;
      if (eventLog != null) {
        eventLog.upstreamRenewed(why, renewals, millis);
      }
      metrics.upstreamRenewed(context.deploymentId());
      startLink(link);
      translator.upstreamRenewed(output);
      if (!translatorHolds) {
        retire();
      }
      updateClientFlow();
    });
  }

  /**
   * A provider that never gets ready (no setupComplete) would keep the client paused for ever: after
   * {@link #READY_LIMIT_MILLIS} the session ends with an error instead.
   */
  private void watchHold() {
    long holdNumber = ++holds;
    io.vertx.core.Context loop = io.vertx.core.Vertx.currentContext();
    if (loop == null) {
      return;
    }
    loop.owner().setTimer(READY_LIMIT_MILLIS, id -> {
      if (translatorHolds && holds == holdNumber && !ended && !closedByRelay) {
        LOG.warn("session {}: provider not ready after {} ms; closing", context.sessionId(), READY_LIMIT_MILLIS);
        closeWithError("server_error", "The provider did not get ready within " + READY_LIMIT_MILLIS / 1000
            + " s", CloseCodes.INTERNAL_ERROR, "provider not ready");
      }
    });
  }

  private void retire() {
    if (retiring != null) {
      ProviderLink old = retiring;
      retiring = null;
      old.close(CloseCodes.NORMAL, "connection renewed");
    }
  }

  /**
   * Ends the session with 1001, which SDKs treat as "reconnect", after an error event saying why.
   *
   * @param byRelay the relay decided (a renewal failed), rather than the provider
   */
  private void askClientToReconnect(ProviderLink l, String why, boolean byRelay) {
    sendToClient(ClientErrors.event("server_error", "upstream_going_away", "The provider ended the connection ("
        + why + "); reconnect to continue"));
    closedByRelay = closedByRelay || byRelay;
    l.close(CloseCodes.NORMAL, "going away");
    if (!client.isClosed()) {
      client.close(CloseCodes.GOING_AWAY, "provider connection ended; reconnect");
    }
  }

  /**
   * A guardrail blocked a message: LiteLLM's guardrail error event, then 1011 to the client; the provider link is
   * closed normally. The blocked text is never logged.
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
    sendToClient(GuardrailBlocks.recorded(context.sessionId(), blocked, hooks.guardrailStats(), eventLog));
    closedByRelay = true;
    link.close(CloseCodes.NORMAL, "guardrail blocked");
    if (!client.isClosed()) {
      client.close(CloseCodes.INTERNAL_ERROR, "guardrail blocked");
    }
  }

  /** Output guardrails report blocks here. */
  @Override
  public void blocked(Throwable failure) {
    gateFailed(failure);
  }

  @Override
  public String keyId() {
    return context.principal().id();
  }

  @Override
  public java.util.Optional<String> teamId() {
    return context.principal().teamId();
  }

  @Override
  public void ping() {
    if (!client.isClosed()) {
      client.writePing(PING_PAYLOAD);
    }
    link.ping();
  }

  @Override
  public void close(short code, String reason) {
    closedByRelay = true;
    retire();
    if (!client.isClosed()) {
      client.close(code, reason);
    }
    link.close(code, reason);
  }

  @Override
  public void closeWithError(String errorType, String message, short code, String reason) {
    if (ended || closedByRelay) {
      return;
    }
    sendToClient(ClientErrors.event(errorType, errorType, message));
    close(code, reason);
  }

  private void onClientClosed() {
    retire();
    link.close(CloseCodes.towardUpstream(CloseCodes.of(client.closeStatusCode())),
        CloseCodes.reason(client.closeReason()));
    end("client", client.closeStatusCode(), client.closeReason());
  }

  /**
   * The provider closed unasked: the translator decides between renewing the connection, asking the client to
   * reconnect, and passing the close on. A refusal's reason (Gemini explains them there, e.g. 1007 for an invalid
   * setup) reaches the client as an error event before the close, since SDKs surface events more readily.
   */
  private void onUpstreamClosed(ProviderLink.Closed closed) {
    Short code = closed.code();
    String reason = closed.reason();
    if (ended || closedByRelay || client.isClosed()) {
      end("upstream", code, reason);
      return;
    }
    switch (translator.upstreamLost(code, reason, output)) {
      case RENEW -> renew("provider connection closed (" + code + ")");
      case ASK_CLIENT_TO_RECONNECT -> {
        askClientToReconnect(link, "connection time limit", false);
        end("upstream", code, reason);
      }
      case END -> {
        if (code != null && code != 1000 && reason != null && !reason.isEmpty()) {
          sendToClient(ClientErrors.event("server_error", "upstream_closed",
              "Provider closed the session (" + code + "): " + reason));
        }
        String clientReason = code == null || code == 1006 ? "upstream connection lost" : reason;
        client.close(CloseCodes.towardClient(CloseCodes.of(code)), CloseCodes.reason(clientReason));
        end("upstream", code, reason);
      }
    }
  }

  private void end(String closedBy, Short code, String reason) {
    if (ended) {
      return;
    }
    ended = true;
    retire();
    long millis = (System.nanoTime() - startedNanos) / 1_000_000;
    String by = closedByRelay ? "relay" : closedBy;
    JsonObject tail = translator.unbilledUsage();
    if (tail != null) {
      // Never shown to the client (it is gone); billed and logged like any response, under a recognisable id.
      hooks.billing().responseDone(new JsonObject().put("type", "response.done").put("response", new JsonObject()
          .put("id", "usage_after_last_response").put("status", "completed").put("usage", tail)).toBuffer());
    }
    if (eventLog != null) {
      eventLog.closed(new SessionEventLog.Totals(by, code == null ? null : (int) code, reason, millis, framesIn,
          bytesIn, framesOut, bytesOut), hooks.billing().cost(),
          hooks.latencySummary());
    }
    metrics.sessionClosed(context.modelAlias(), by, code == null ? null : (int) code);
    LOG.info("session {} (translated) closed by {} (code {}) after {} ms; {} client messages, {} to the client, "
        + "{} connection renewal(s)", context.sessionId(), by, code, millis, framesIn, framesOut, renewals);
    onEnd.run();
  }
}
