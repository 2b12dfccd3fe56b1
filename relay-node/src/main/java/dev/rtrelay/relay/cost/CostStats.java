package dev.rtrelay.relay.cost;

import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Node-wide spend and token totals per model alias, for {@code /metrics}. Updated once per billed response (not per
 * frame), so a short synchronized section per alias is cheap; label values are configured aliases only.
 */
public final class CostStats {
  private final ConcurrentHashMap<String, AliasTotals> byAlias = new ConcurrentHashMap<>();

  public void add(String alias, ResponseBill bill) {
    byAlias.computeIfAbsent(alias, a -> new AliasTotals()).add(bill);
  }

  /** One alias's totals (all zero for an alias nothing was billed to yet). */
  public AliasTotals.Snapshot totals(String alias) {
    AliasTotals totals = byAlias.get(alias);
    return totals == null ? new AliasTotals().snapshot() : totals.snapshot();
  }

  /** A consistent copy per alias, sorted by alias. */
  public Map<String, AliasTotals.Snapshot> snapshot() {
    Map<String, AliasTotals.Snapshot> out = new TreeMap<>();
    byAlias.forEach((alias, totals) -> out.put(alias, totals.snapshot()));
    return out;
  }

  /** Totals of one alias. */
  public static final class AliasTotals {
    private long responses;
    private long unpriced;
    private BigDecimal cost = BigDecimal.ZERO;
    private ResponseUsage usage = ResponseUsage.ZERO;

    synchronized void add(ResponseBill bill) {
      responses++;
      usage = usage.plus(bill.usage());
      if (bill.cost().isPresent()) {
        cost = cost.add(bill.cost().get().total());
      } else {
        unpriced++;
      }
    }

    synchronized Snapshot snapshot() {
      return new Snapshot(responses, unpriced, cost, usage);
    }

    /** @param unpriced responses of deployments without known prices (their cost is not in {@code cost}) */
    public record Snapshot(long responses, long unpriced, BigDecimal cost, ResponseUsage usage) {}
  }
}
