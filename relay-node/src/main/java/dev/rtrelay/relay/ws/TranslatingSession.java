package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.events.SessionEventLog;
import dev.rtrelay.relay.metrics.RelayMetrics;
import dev.rtrelay.relay.translate.Translator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client socket speaking OpenAI Realtime bound to a provider socket speaking another protocol, message by message
 * through a {@link Translator}. The event log, billing and metrics see the OpenAI-side events, so a translated session
 * is logged and billed exactly like a relayed one. Providers may send JSON in text or binary frames; both are read.
 */
final class TranslatingSession implements LiveSession {
  private static final Logger LOG = LoggerFactory.getLogger(TranslatingSession.class);

  private final SessionContext context;
  private final SocketPair sockets;
  private final ServerWebSocket client;
  private final WebSocket upstream;
  private final Translator translator;
  private final SessionEventLog eventLog;
  private final ResponseBilling billing;
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
      sendUpstream(message);
    }

    @Override
    public void upstreamClosingSoon(String why) {
      LOG.info("session {}: {}; the client will be asked to reconnect", context.sessionId(), why);
      upstreamClosingOnPurpose = true;
    }
  };
  private boolean upstreamClosingOnPurpose;
  private long framesIn;
  private long bytesIn;
  private long framesOut;
  private long bytesOut;
  private boolean ended;
  private boolean closedByRelay;

  /** @param eventLog null when logging is off */
  TranslatingSession(SessionContext context, ServerWebSocket client, WebSocket upstream, Translator translator,
      SessionEventLog eventLog, ResponseBilling billing, RelayMetrics metrics, Runnable onEnd) {
    this.context = context;
    this.sockets = new SocketPair(client, upstream);
    this.client = client;
    this.upstream = upstream;
    this.translator = translator;
    this.eventLog = eventLog;
    this.billing = billing;
    this.metrics = metrics;
    this.onEnd = onEnd;
  }

  void start(int writeQueueMaxBytes) {
    client.setWriteQueueMaxSize(writeQueueMaxBytes);
    upstream.setWriteQueueMaxSize(writeQueueMaxBytes);
    // Backpressure both ways, as for relayed sessions: a full queue pauses the other side's reads.
    client.drainHandler(v -> upstream.resume());
    upstream.drainHandler(v -> client.resume());
    client.textMessageHandler(this::onClientText);
    client.binaryMessageHandler(b -> sendToClient(ClientErrors.event("invalid_request_error", null,
        "Binary frames are not part of the realtime protocol")));
    upstream.textMessageHandler(text -> onUpstream(Buffer.buffer(text)));
    upstream.binaryMessageHandler(this::onUpstream);
    client.closeHandler(v -> onClientClosed());
    upstream.closeHandler(v -> onUpstreamClosed());
    client.exceptionHandler(e -> LOG.debug("session {}: client socket error: {}", context.sessionId(), e.toString()));
    upstream.exceptionHandler(e -> LOG.debug("session {}: upstream socket error: {}", context.sessionId(),
        e.toString()));
    translator.start(output);
    upstream.resume();
    client.resume();
    if (upstream.isClosed()) {
      onUpstreamClosed();
    } else if (client.isClosed()) {
      onClientClosed();
    }
  }

  private void onClientText(String text) {
    framesIn++;
    bytesIn += text.length();
    metrics.clientToUpstream().frame(text.length());
    JsonObject event;
    try {
      event = new JsonObject(text);
    } catch (RuntimeException e) {
      sendToClient(ClientErrors.event("invalid_request_error", null, "Client message is not a JSON object"));
      return;
    }
    if (eventLog != null && event.getValue("type") instanceof String type) {
      eventLog.onMessage(true, type, Buffer.buffer(text));
    }
    translator.fromClient(event, output);
  }

  private void onUpstream(Buffer message) {
    JsonObject parsed;
    try {
      parsed = new JsonObject(message);
    } catch (RuntimeException e) {
      LOG.debug("session {}: provider sent a message that is not JSON; ignored", context.sessionId());
      return;
    }
    translator.fromUpstream(parsed, output);
  }

  private void sendToClient(JsonObject event) {
    if (client.isClosed()) {
      return;
    }
    // Encoded once: audio deltas come through here at frame rate.
    String text = event.encode();
    String type = event.getString("type", "");
    boolean responseDone = type.equals("response.done");
    if (eventLog != null || responseDone) {
      Buffer encoded = Buffer.buffer(text);
      if (eventLog != null) {
        eventLog.onMessage(false, type, encoded);
      }
      if (responseDone) {
        billing.responseDone(encoded);
      }
    }
    framesOut++;
    bytesOut += text.length();
    metrics.upstreamToClient().frame(text.length());
    client.writeTextMessage(text);
    if (client.writeQueueFull()) {
      upstream.pause();
    }
  }

  private void sendUpstream(JsonObject message) {
    if (upstream.isClosed() || closedByRelay) {
      return;
    }
    upstream.writeTextMessage(message.encode());
    if (upstream.writeQueueFull()) {
      client.pause();
    }
  }

  @Override
  public String keyId() {
    return context.principal().id();
  }

  @Override
  public void ping() {
    sockets.ping();
  }

  @Override
  public void close(short code, String reason) {
    closedByRelay = true;
    sockets.closeBoth(code, reason);
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
    sockets.passClientClose();
    end("client", client.closeStatusCode(), client.closeReason());
  }

  /**
   * The provider closed: its reason (Gemini explains refusals there, e.g. 1007 for an invalid setup) reaches the
   * client as an error event before the close, since SDKs surface events more readily than close reasons.
   */
  private void onUpstreamClosed() {
    Short code = upstream.closeStatusCode();
    String reason = upstream.closeReason();
    if (upstreamClosingOnPurpose && !client.isClosed()) {
      client.close(CloseCodes.GOING_AWAY, "provider connection time limit reached; reconnect");
      end("upstream", code, reason);
      return;
    }
    if (!client.isClosed()) {
      if (code != null && code != 1000 && reason != null && !reason.isEmpty()) {
        sendToClient(ClientErrors.event("server_error", "upstream_closed",
            "Provider closed the session (" + code + "): " + reason));
      }
    }
    sockets.passUpstreamClose();
    end("upstream", code, reason);
  }

  private void end(String closedBy, Short code, String reason) {
    if (ended) {
      return;
    }
    ended = true;
    long millis = (System.nanoTime() - startedNanos) / 1_000_000;
    String by = closedByRelay ? "relay" : closedBy;
    if (eventLog != null) {
      eventLog.closed(new SessionEventLog.Totals(by, code == null ? null : (int) code, reason, millis, framesIn,
          bytesIn, framesOut, bytesOut), billing.cost());
    }
    metrics.sessionClosed(context.modelAlias(), by, code == null ? null : (int) code);
    LOG.info("session {} (translated) closed by {} (code {}) after {} ms; {} client messages, {} to the client",
        context.sessionId(), by, code, millis, framesIn, framesOut);
    onEnd.run();
  }
}
