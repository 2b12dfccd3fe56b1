package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.auth.ClientCredentials;
import dev.rtrelay.relay.events.ClientInfo;
import dev.rtrelay.relay.events.EventLogSettings;
import dev.rtrelay.relay.events.EventSink;
import dev.rtrelay.relay.events.SessionEventLog;
import dev.rtrelay.relay.events.SessionInfo;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/** Creates each session's event log (or none when logging is off) and records the opened envelope. */
public final class SessionLogging {
  private final EventSink sink;
  private final EventLogSettings settings;
  private final String nodeId;

  public SessionLogging(EventSink sink, EventLogSettings settings, String nodeId) {
    this.sink = sink;
    this.settings = settings;
    this.nodeId = nodeId;
  }

  /** Null when logging is off, so the relay session skips every per-frame hook. */
  SessionEventLog open(SessionContext context, HttpServerRequest request, ClientCredentials credentials,
      String subprotocol) {
    if (!sink.enabled()) {
      return null;
    }
    SessionEventLog log = new SessionEventLog(new SessionInfo(context.sessionId(), nodeId, context.modelAlias(),
        context.deploymentId(), context.principal().id(), context.principal().teamId()), settings, sink,
        SessionEventLog::nowMicros);
    log.opened(new ClientInfo(
        request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress(),
        Optional.ofNullable(request.getHeader("x-forwarded-for")),
        Optional.ofNullable(request.getHeader("user-agent")),
        Optional.ofNullable(subprotocol),
        credentials.form()));
    return log;
  }
}
