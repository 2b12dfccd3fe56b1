package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.cost.CostStats;
import dev.rtrelay.relay.cost.ResponseBill;
import dev.rtrelay.relay.limits.KeyLimits;
import io.vertx.core.eventbus.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to each billed response beyond the session's own log: node metrics, and the key's shared budget.
 * When a response takes a key to its {@code max_budget}, every node is told (an event-bus publish, so it reaches the
 * key's sessions wherever they run) and closes that key's live sessions; a team's budget closes every session of its
 * keys the same way.
 */
public final class Billing {
  /** Event-bus address; the message body is the key alias (never the key), or {@code team:<team id>}. */
  public static final String BUDGET_EXHAUSTED_ADDRESS = "rtrelay.key-budget-exhausted";
  private static final Logger LOG = LoggerFactory.getLogger(Billing.class);

  private final CostStats stats;
  private final KeyLimits limits;
  private final EventBus eventBus;

  public Billing(CostStats stats, KeyLimits limits, EventBus eventBus) {
    this.stats = stats;
    this.limits = limits;
    this.eventBus = eventBus;
  }

  void billed(SessionContext context, ResponseBill bill) {
    stats.add(context.modelAlias(), bill);
    if (bill.cost().isEmpty()) {
      return;
    }
    String keyId = context.principal().id();
    // Never fails: spend the cluster cannot take now is kept by the limits and added later.
    limits.spend(context.principal(), bill.cost().get().total()).onSuccess(over -> {
      if (over.key()) {
        LOG.warn("session {}: key '{}' reached its max_budget; closing its live sessions", context.sessionId(), keyId);
        eventBus.publish(BUDGET_EXHAUSTED_ADDRESS, keyId);
      }
      if (over.team()) {
        String team = context.principal().teamId().orElseThrow();
        LOG.warn("session {}: team '{}' reached its max_budget; closing its keys' live sessions", context.sessionId(),
            team);
        eventBus.publish(BUDGET_EXHAUSTED_ADDRESS, KeyLimits.teamEntry(team));
      }
    });
  }
}
