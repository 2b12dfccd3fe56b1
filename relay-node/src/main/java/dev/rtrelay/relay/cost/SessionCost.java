package dev.rtrelay.relay.cost;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Bills every {@code response.done} of one session and keeps the session's totals. Lives on the session's event loop
 * (no locking) and runs once per response, never per audio frame.
 */
public final class SessionCost {
  private final Optional<ModelPrices> prices;
  private ResponseUsage usage = ResponseUsage.ZERO;
  private ResponseCost cost = ResponseCost.ZERO;
  private long responses;

  public SessionCost(Optional<ModelPrices> prices) {
    this.prices = prices;
  }

  /** @return the bill, or null when the message is not valid JSON or carries no usage */
  public ResponseBill onResponseDone(Buffer message) {
    JsonObject event;
    try {
      event = new JsonObject(message);
    } catch (RuntimeException malformed) {
      return null;
    }
    ResponseUsage u = ResponseUsage.fromResponseDone(event);
    if (u == null) {
      return null;
    }
    JsonObject response = event.getJsonObject("response");
    responses++;
    usage = usage.plus(u);
    Optional<ResponseCost> c = prices.map(p -> p.cost(u));
    c.ifPresent(value -> cost = cost.plus(value));
    return new ResponseBill(Optional.ofNullable(response.getValue("id") instanceof String s ? s : null),
        Optional.ofNullable(response.getValue("status") instanceof String s ? s : null), u, c,
        c.map(ignored -> cost.total()));
  }

  public long responses() {
    return responses;
  }

  public ResponseUsage usage() {
    return usage;
  }

  /** Empty when the deployment has no known prices. */
  public Optional<ResponseCost> cost() {
    return prices.map(p -> cost);
  }

  public Optional<BigDecimal> total() {
    return cost().map(ResponseCost::total);
  }
}
