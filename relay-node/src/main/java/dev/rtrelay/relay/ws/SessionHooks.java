package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.events.LatencySummary;
import dev.rtrelay.relay.events.ResponseLatency;
import dev.rtrelay.relay.events.SessionEventLog;
import dev.rtrelay.relay.guardrails.CheckContext;
import dev.rtrelay.relay.guardrails.ClientGate;
import dev.rtrelay.relay.guardrails.Guardrail;
import dev.rtrelay.relay.guardrails.GuardrailStats;
import dev.rtrelay.relay.guardrails.OutputCheck;
import dev.rtrelay.relay.guardrails.TurnHold;
import dev.rtrelay.relay.wire.MessageHooks;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Everything a session does with the messages it carries besides forwarding them, relayed and translated sessions
 * alike: billing every {@code response.done}; and, only when configured at admission, the event log, pre_call
 * guardrails (which hold client messages until checked), during_call and post_call guardrails, and strict turn
 * holding. Absent concerns cost nothing: with logging off and no guardrail, no client message is looked into and an
 * upstream message is only asked whether it is a {@code response.done}.
 */
final class SessionHooks {
  /** What the hooks ask of their session. */
  interface Actions {
    /** A message the relay itself sends to the model (strict turn holding), never shown to guardrails or logs. */
    void sendUpstream(String json);

    /** A guardrail blocked (or its check failed): the session tells the client and ends. */
    void blocked(Throwable failure);
  }

  private final SessionEventLog log;
  private final ResponseBilling billing;
  private final ClientGate gate;
  private final TurnHold turnHold;
  private final OutputCheck output;
  private final GuardrailStats guardrailStats;
  private final VoiceLatency latency;
  /** The figures of the response whose {@code response.done} is passing (known at its first bytes, billed at its end). */
  private ResponseLatency pendingLatency;
  private Actions actions;

  /**
   * @param log null when logging is off
   * @param gate pre_call guardrails (wrapped in the turn hold when there is one), or null
   * @param turnHold strict during_call turn holding, or null
   * @param outputGuardrails the session's during_call and post_call guardrails, possibly none
   * @param latency times each response, or null when voice latency is not measured
   */
  SessionHooks(SessionEventLog log, ResponseBilling billing, ClientGate gate, TurnHold turnHold,
      List<Guardrail> outputGuardrails, CheckContext checkContext, GuardrailStats guardrailStats,
      VoiceLatency latency) {
    this.log = log;
    this.latency = latency;
    this.billing = billing;
    this.gate = gate;
    this.turnHold = turnHold;
    this.guardrailStats = guardrailStats;
    this.output = outputGuardrails.isEmpty() ? null : new OutputCheck(outputGuardrails, checkContext, guardrailStats,
        blocked -> actions.blocked(blocked),
        turnHold == null ? null : () -> actions.sendUpstream("{\"type\":\"response.create\"}"));
  }

  /** Connects the hooks to their session; called once, before any message flows. */
  void bind(Actions sessionActions) {
    this.actions = sessionActions;
  }

  /** The event log, or null when logging is off. */
  SessionEventLog log() {
    return log;
  }

  ResponseBilling billing() {
    return billing;
  }

  GuardrailStats guardrailStats() {
    return guardrailStats;
  }

  /** The client messages that must pass a check before they reach the model, or null. */
  ClientGate gate() {
    return gate;
  }

  /** The session's voice latency for its closed record, or null when it is not measured. */
  LatencySummary latencySummary() {
    return latency == null ? null : latency.summary();
  }

  /** The type of a client message on its way to the model (every one, as it starts). */
  void clientType(String type) {
    if (latency != null) {
      latency.client(type);
    }
  }

  /** The type of a provider message on its way to the client (every one, as it starts). */
  void upstreamType(String type) {
    if (latency != null) {
      ResponseLatency done = latency.upstream(type);
      if (done != null) {
        pendingLatency = done;
      }
    }
  }

  /** A client message (after any check) on its way to the model: recorded when its type is logged. */
  void clientMessage(String type, Buffer message) {
    if (log != null && type != null) {
      log.onMessage(true, type, message);
    }
  }

  /** Whether anything wants to see a provider message of this type, so a translated session builds it only then. */
  boolean wantsUpstream(String type) {
    return type == null || type.equals("response.done") || (log != null && log.wants(type))
        || (output != null && output.wants(type)) || (turnHold != null && type.equals("session.created"));
  }

  /** A provider message on its way to the client: billed, recorded, checked and acted on as configured. */
  void upstreamMessage(String type, Buffer message) {
    if (type == null) {
      return;
    }
    if (log != null) {
      log.onMessage(false, type, message);
    }
    if (type.equals("response.done")) {
      ResponseLatency timed = pendingLatency;
      pendingLatency = null;
      billing.responseDone(message, timed);
    }
    if (turnHold != null && type.equals("session.created")) {
      actions.sendUpstream(turnHold.initialUpdate());
    }
    if (output != null && output.wants(type)) {
      output.check(type, message);
    }
  }

  /** What a relayed session's client-to-upstream forwarder looks into, or null when nothing is wanted there. */
  MessageHooks clientSide() {
    if (gate == null && log == null && latency == null) {
      return null;
    }
    return new MessageHooks() {
      @Override
      public int interest(String type) {
        clientType(type);
        // A message whose type its first bytes do not tell might be one the gate checks: held until it is known.
        if (gate != null && (type == null || gate.wants(type))) {
          return HOLD;
        }
        return log != null && (type == null || log.wants(type)) ? OBSERVE : NONE;
      }

      @Override
      public boolean mayHold() {
        return gate != null;
      }

      @Override
      public void message(String type, Buffer message) {
        clientMessage(type, message);
      }

      @Override
      public Future<String> check(String type, Buffer message) {
        String text = message.toString(StandardCharsets.UTF_8);
        Future<String> checked = type != null && gate.wants(type) ? gate.check(text) : Future.succeededFuture(text);
        // Recorded as it goes out: a rewritten message is logged rewritten.
        return checked.onSuccess(out -> clientMessage(type, Buffer.buffer(out)));
      }
    };
  }

  /** What a relayed session's upstream-to-client forwarder looks into: at least every {@code response.done}. */
  MessageHooks upstreamSide() {
    return new MessageHooks() {
      @Override
      public int interest(String type) {
        upstreamType(type);
        return wantsUpstream(type) ? OBSERVE : NONE;
      }

      @Override
      public boolean mayHold() {
        return false;
      }

      @Override
      public void message(String type, Buffer message) {
        upstreamMessage(type, message);
      }

      @Override
      public Future<String> check(String type, Buffer message) {
        throw new IllegalStateException("provider messages are never held");
      }
    };
  }
}
