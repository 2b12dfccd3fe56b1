package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.events.SessionEventLog;
import dev.rtrelay.relay.guardrails.GuardrailBlocked;
import dev.rtrelay.relay.metrics.RelayMetrics;
import dev.rtrelay.relay.wire.FrameForwarder;
import dev.rtrelay.relay.wire.Frames;
import dev.rtrelay.relay.wire.RawConnection;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client socket bound to one upstream socket, both below Vert.x's WebSocket API: a {@link FrameForwarder} each
 * way moves frame bytes verbatim, and the session does what a WebSocket endpoint must on each side. It answers pings,
 * passes a close from one side to the other with a deliberate code (and completes each side's close handshake),
 * closes a side that breaks RFC 6455 with 1002, 1007 or 1009, and ends exactly once, however it ends. A peer that
 * does not finish the closing handshake within {@link #CLOSE_GRACE_MILLIS} has its TCP connection cut.
 */
public final class RelaySession implements LiveSession, SessionHooks.Actions {
  private static final Logger LOG = LoggerFactory.getLogger(RelaySession.class);
  static final long CLOSE_GRACE_MILLIS = 5_000;
  private static final Buffer PING_PAYLOAD = Buffer.buffer("rtrelay");

  /** One of the session's two sides. */
  private enum Side {
    CLIENT("client"), UPSTREAM("upstream");

    final String label;

    Side(String label) {
      this.label = label;
    }
  }

  private final Vertx vertx;
  private final SessionContext context;
  private final RawConnection client;
  private final RawConnection upstream;
  private final FrameForwarder clientToUpstream;
  private final FrameForwarder upstreamToClient;
  private final SessionHooks hooks;
  private final RelayMetrics metrics;
  private final Runnable onEnd;
  private final Runnable onClosed;
  private final long startedNanos = System.nanoTime();
  private final boolean[] closeReceived = new boolean[2];
  private final boolean[] closeSent = new boolean[2];
  private boolean ended;
  private long graceTimer = -1;
  /** Per side: the write-stall timer running while that side is not reading, or -1. */
  private final long[] stallTimers = {-1, -1};
  private long writeStallMillis;

  RelaySession(Vertx vertx, SessionContext context, RawConnection client, RawConnection upstream,
      int maxMessageBytes, SessionHooks hooks, RelayMetrics metrics, Runnable onEnd, Runnable onClosed) {
    this.vertx = vertx;
    this.context = context;
    this.client = client;
    this.upstream = upstream;
    this.hooks = hooks;
    this.metrics = metrics;
    this.onEnd = onEnd;
    this.onClosed = onClosed;
    this.clientToUpstream = new FrameForwarder(client, upstream, true, maxMessageBytes, true, hooks.clientSide(),
        new SideEvents(Side.CLIENT), metrics.clientToUpstream());
    this.upstreamToClient = new FrameForwarder(upstream, client, false, maxMessageBytes, true, hooks.upstreamSide(),
        new SideEvents(Side.UPSTREAM), metrics.upstreamToClient());
    hooks.bind(this);
  }

  /** What one side's forwarder reports about that side. */
  private final class SideEvents implements FrameForwarder.Events {
    private final Side side;

    SideEvents(Side side) {
      this.side = side;
    }

    @Override
    public void control(int opcode, Buffer payload) {
      switch (opcode) {
        case Frames.PING -> toward(side).inject(Frames.encode(Frames.PONG, payload, side == Side.UPSTREAM), false);
        case Frames.CLOSE -> closeFrom(side, payload);
        default -> {
          // A pong: the peer is alive, which reading it already told the idle timer.
        }
      }
    }

    @Override
    public void violation(int closeCode, String reason) {
      violated(side, closeCode, reason);
    }

    @Override
    public void refused(Throwable cause) {
      blocked(cause);
    }

    /** This side's messages no longer fit into the other side's write queue: the other side is not reading. */
    @Override
    public void destinationStalled() {
      Side slow = other(side);
      if (writeStallMillis > 0 && !ended && stallTimers[slow.ordinal()] < 0) {
        stallTimers[slow.ordinal()] = vertx.setTimer(writeStallMillis, id -> {
          stallTimers[slow.ordinal()] = -1;
          stalledTooLong(slow);
        });
      }
    }

    @Override
    public void destinationDrained() {
      cancelStallTimer(other(side));
    }
  }

  private void cancelStallTimer(Side side) {
    long timer = stallTimers[side.ordinal()];
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      stallTimers[side.ordinal()] = -1;
    }
  }

  /**
   * {@code slow} took nothing of what the relay wrote to it for the write-stall timeout, while the other side was
   * kept waiting: the session ends, booked as closed by the relay with a reason naming the side that stopped reading
   * (1008 for a client, 1011 toward the client for a provider). The slow side's connection is cut at once: it is not
   * reading, so a close frame would only join its queue.
   */
  private void stalledTooLong(Side slow) {
    if (ended) {
      return;
    }
    String reason = slow.label + " not reading (write queue full for " + writeStallMillis / 1000 + " s)";
    LOG.warn("session {}: {}; closing", context.sessionId(), reason);
    Side waiting = other(slow);
    if (slow == Side.CLIENT) {
      end("relay", (int) CloseCodes.POLICY_VIOLATION, reason);
      closeTo(waiting, (int) CloseCodes.GOING_AWAY, reason);
    } else {
      end("relay", (int) CloseCodes.INTERNAL_ERROR, reason);
      closeTo(waiting, (int) CloseCodes.INTERNAL_ERROR, reason);
    }
    socket(slow).abort();
  }

  /**
   * Wires both directions, then lets both sockets flow.
   *
   * @param earlyUpstream frame bytes the provider sent with its 101 (often {@code session.created}), or null
   */
  void start(int writeQueueMaxBytes, long writeStallMillis, Buffer earlyUpstream) {
    this.writeStallMillis = writeStallMillis;
    if (earlyUpstream != null) {
      upstreamToClient.onRead(earlyUpstream);
    }
    upstream.start(writeQueueMaxBytes, upstreamToClient::onRead, clientToUpstream::drained,
        () -> connectionLost(Side.UPSTREAM));
    client.start(writeQueueMaxBytes, clientToUpstream::onRead, upstreamToClient::drained,
        () -> connectionLost(Side.CLIENT));
  }

  private RawConnection socket(Side side) {
    return side == Side.CLIENT ? client : upstream;
  }

  /** The forwarder that writes to {@code side}. */
  private FrameForwarder toward(Side side) {
    return side == Side.CLIENT ? upstreamToClient : clientToUpstream;
  }

  /** The forwarder that reads from {@code side}. */
  private FrameForwarder from(Side side) {
    return side == Side.CLIENT ? clientToUpstream : upstreamToClient;
  }

  private static Side other(Side side) {
    return side == Side.CLIENT ? Side.UPSTREAM : Side.CLIENT;
  }

  @Override
  public void ping() {
    if (!ended) {
      clientToUpstream.inject(Frames.encode(Frames.PING, PING_PAYLOAD, true), false);
      upstreamToClient.inject(Frames.encode(Frames.PING, PING_PAYLOAD, false), false);
    }
  }

  /** A side sent a close frame: it is answered, and the other side gets its code (mapped where the RFC requires). */
  private void closeFrom(Side side, Buffer payload) {
    closeReceived[side.ordinal()] = true;
    if (payload.length() == 1) {
      violated(side, 1002, "close frame with a one-byte payload");
      return;
    }
    Integer code = payload.length() >= 2 ? Integer.valueOf(payload.getUnsignedShort(0)) : null;
    if (code != null && !Frames.validCloseCode(code)) {
      violated(side, 1002, "invalid close code " + code);
      return;
    }
    String reason = payload.length() > 2 ? utf8(payload.slice(2, payload.length())) : "";
    if (reason == null) {
      violated(side, 1007, "close reason is not UTF-8");
      return;
    }
    if (closeSent[side.ordinal()]) {
      // The answer to the relay's own close: the closing handshake with this side is complete.
      socket(side).close();
      return;
    }
    end(side.label, code, reason);
    // Answered with the same code (RFC 6455 §5.5.1), then this side's connection is done.
    closeTo(side, code == null ? null : code, null);
    Side otherSide = other(side);
    int passed = side == Side.CLIENT ? CloseCodes.towardUpstream(code) : CloseCodes.towardClient(code);
    closeTo(otherSide, passed, reason.isEmpty() ? null : reason);
  }

  /**
   * Sends {@code side} a close frame (none twice); an empty one when {@code code} is null. The connection is closed
   * once that side answered (the relay closes first, as a server should), or when the grace period ends.
   */
  private void closeTo(Side side, Integer code, String reason) {
    closeTo(side, code, reason, null);
  }

  /** @param afterSent run once the close frame was written (or at once when none can be sent), or null */
  private void closeTo(Side side, Integer code, String reason, Runnable afterSent) {
    int i = side.ordinal();
    if (closeSent[i] || socket(side).closed()) {
      if (afterSent != null) {
        afterSent.run();
      }
      return;
    }
    closeSent[i] = true;
    boolean masked = side == Side.UPSTREAM;
    Buffer frame = code == null ? Frames.encode(Frames.CLOSE, Buffer.buffer(), masked)
        : Frames.close(code, reason, masked);
    toward(side).injectClose(frame, () -> {
      // The handshake is complete when this side already sent its close, and moot when the relay no longer reads
      // it. Otherwise its answer closes the connection (closeFrom), or the grace period does: closing now, while a
      // client still streams audio, would make the kernel reset the connection and drop the close frame with it.
      if (closeReceived[i] || from(side).stopped()) {
        socket(side).close();
      }
      if (afterSent != null) {
        afterSent.run();
      }
    });
    startGrace();
  }

  /** A side broke the protocol or a limit: it gets the code; the other side learns the session is over. */
  private void violated(Side side, int code, String reason) {
    if (ended) {
      socket(side).close();
      return;
    }
    LOG.warn("session {}: the {} {}; closing with {}", context.sessionId(), side.label, reason, code);
    from(side).stop();
    end(side.label, code, reason);
    closeTo(side, code, reason);
    Side otherSide = other(side);
    if (code == CloseCodes.MESSAGE_TOO_BIG) {
      closeTo(otherSide, code, side.label + " message too big");
    } else if (otherSide == Side.CLIENT) {
      closeTo(otherSide, (int) CloseCodes.INTERNAL_ERROR, "upstream protocol error");
    } else {
      closeTo(otherSide, (int) CloseCodes.GOING_AWAY, "client protocol error");
    }
    cutIfStuck(side);
  }

  /**
   * A side's TCP connection ended: the other side is told (1011 for the client, 1001 for the upstream). When the relay
   * itself closed it because the peer fell silent past the idle timeout, the session is booked as closed by the relay
   * (1001, "… silent"), not as that side's abnormal 1006, and the other side hears the same.
   */
  private void connectionLost(Side side) {
    from(side).stop();
    Side otherSide = other(side);
    if (socket(side).closedForSilence()) {
      String reason = side.label + " silent past the idle timeout";
      if (!ended) {
        end("relay", (int) CloseCodes.GOING_AWAY, reason);
      }
      closeTo(otherSide, (int) CloseCodes.GOING_AWAY, reason);
    } else {
      if (!ended) {
        end(side.label, null, null);
      }
      if (otherSide == Side.CLIENT) {
        closeTo(otherSide, (int) CloseCodes.INTERNAL_ERROR, "upstream connection lost");
      } else {
        closeTo(otherSide, (int) CloseCodes.GOING_AWAY, null);
      }
    }
    cutIfStuck(side);
    if (client.closed() && upstream.closed()) {
      if (graceTimer >= 0) {
        vertx.cancelTimer(graceTimer);
        graceTimer = -1;
      }
      onClosed.run();
    }
  }

  /**
   * Nothing more will come from {@code side}: if its last frame reached the other side only in part, no close frame
   * can follow it there, so that connection is closed as it is.
   */
  private void cutIfStuck(Side side) {
    if (!from(side).outputAtFrameBoundary()) {
      socket(other(side)).close();
    }
  }

  private void startGrace() {
    if (graceTimer < 0) {
      graceTimer = vertx.setTimer(CLOSE_GRACE_MILLIS, id -> {
        graceTimer = -1;
        client.close();
        upstream.close();
      });
    }
  }

  @Override
  public void sendUpstream(String json) {
    if (!ended) {
      clientToUpstream.inject(Frames.text(json, true), true);
    }
  }

  /**
   * A guardrail blocked a message (the client's, or the provider's in during_call / post_call): the client gets
   * LiteLLM's guardrail error event, then 1011 (the seed docs' contract); the upstream is closed normally. The
   * blocked text is never logged or recorded.
   */
  @Override
  public void blocked(Throwable failure) {
    if (ended) {
      return;
    }
    if (!(failure instanceof GuardrailBlocked block)) {
      LOG.warn("session {}: guardrail check failed ({}); closing", context.sessionId(), failure.toString());
      close(CloseCodes.INTERNAL_ERROR, "guardrail check failed");
      return;
    }
    String error = GuardrailBlocks.recorded(context.sessionId(), block, hooks.guardrailStats(), hooks.log()).encode();
    clientToUpstream.stop();
    end("relay", (int) CloseCodes.INTERNAL_ERROR, "guardrail blocked");
    upstreamToClient.inject(Frames.text(error, false), true);
    closeTo(Side.CLIENT, (int) CloseCodes.INTERNAL_ERROR, "guardrail blocked");
    closeTo(Side.UPSTREAM, (int) CloseCodes.NORMAL, "guardrail blocked");
  }

  @Override
  public String keyId() {
    return context.principal().id();
  }

  @Override
  public java.util.Optional<String> teamId() {
    return context.principal().teamId();
  }

  /** Tells the client why with an OpenAI-shaped error event, then closes both sides with {@code code}. */
  @Override
  public void closeWithError(String errorType, String message, short code, String reason) {
    if (ended) {
      return;
    }
    LOG.warn("session {}: closing with {} ({})", context.sessionId(), code, reason);
    upstreamToClient.inject(Frames.text(ClientErrors.event(errorType, errorType, message).encode(), false), true);
    close(code, reason);
  }

  /**
   * Closes both sides with the same code: the client first, and the provider once the client's close frame is out.
   * Told at once, the provider would answer and end its stream at once, possibly in the middle of a frame the client
   * is still receiving, and the client would then get no close frame at all (1006) instead of this code.
   */
  @Override
  public void close(short code, String reason) {
    if (!ended) {
      end("relay", (int) code, reason);
    }
    closeTo(Side.CLIENT, (int) code, reason, () -> closeTo(Side.UPSTREAM, (int) code, reason));
  }

  private void end(String closedBy, Integer code, String reason) {
    if (ended) {
      return;
    }
    ended = true;
    cancelStallTimer(Side.CLIENT);
    cancelStallTimer(Side.UPSTREAM);
    long millis = (System.nanoTime() - startedNanos) / 1_000_000;
    SessionEventLog log = hooks.log();
    if (log != null) {
      log.closed(new SessionEventLog.Totals(closedBy, code, reason, millis, clientToUpstream.frames(),
          clientToUpstream.bytes(), upstreamToClient.frames(), upstreamToClient.bytes()), hooks.billing().cost(),
          hooks.latencySummary());
    }
    metrics.sessionClosed(context.modelAlias(), closedBy, code);
    if (!context.quiet()) {
      LOG.info("session {} closed by {} (code {}{}) after {} ms; client->upstream {} frames/{} bytes, "
              + "upstream->client {} frames/{} bytes", context.sessionId(), closedBy, code,
          reason == null || reason.isEmpty() ? "" : ", reason '" + reason + "'", millis, clientToUpstream.frames(),
          clientToUpstream.bytes(), upstreamToClient.frames(), upstreamToClient.bytes());
    }
    onEnd.run();
  }

  /** The text of a close reason, or null when it is not valid UTF-8. */
  private static String utf8(Buffer bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.getBytes())).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
