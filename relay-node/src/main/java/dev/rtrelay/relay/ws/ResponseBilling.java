package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.cost.ResponseBill;
import dev.rtrelay.relay.cost.SessionCost;
import dev.rtrelay.relay.events.ResponseLatency;
import dev.rtrelay.relay.events.SessionEventLog;
import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;

/**
 * What a session does with each {@code response.done} it passes to the client, relayed or translated alike: bill it,
 * record the bill in the event log, and hand it on (metrics, the key's budget). Runs on the session's event loop.
 */
final class ResponseBilling {
  private final SessionCost cost;
  private final SessionEventLog eventLog;
  private final Consumer<ResponseBill> onBill;

  /** @param eventLog null when logging is off */
  ResponseBilling(SessionCost cost, SessionEventLog eventLog, Consumer<ResponseBill> onBill) {
    this.cost = cost;
    this.eventLog = eventLog;
    this.onBill = onBill;
  }

  void responseDone(Buffer message) {
    responseDone(message, null);
  }

  /** @param latency the response's voice latency, or null when it was not timed */
  void responseDone(Buffer message, ResponseLatency latency) {
    ResponseBill bill = cost.onResponseDone(message);
    if (bill == null) {
      return;
    }
    if (eventLog != null) {
      eventLog.responseBilled(bill, latency);
    }
    onBill.accept(bill);
  }

  /** The session's totals, for its closed record. */
  SessionCost cost() {
    return cost;
  }
}
