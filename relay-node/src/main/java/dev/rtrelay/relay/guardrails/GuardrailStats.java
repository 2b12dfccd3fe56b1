package dev.rtrelay.relay.guardrails;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Blocks per guardrail and mode on this node, for {@code /metrics}. Names come from config, never from users. */
public final class GuardrailStats {
  private final ConcurrentHashMap<String, AtomicLong> blocks = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicLong[]> decisions = new ConcurrentHashMap<>();

  /**
   * Runs one check and records how long the decision took (sum and count per guardrail). The result is delivered
   * on the caller's context (the session's event loop) even when a remote guardrail answers on another thread, so
   * session state is only ever touched from its own loop.
   */
  public io.vertx.core.Future<Verdict> timed(Guardrail guardrail, String text, CheckContext context) {
    long start = System.nanoTime();
    io.vertx.core.Context caller = io.vertx.core.Vertx.currentContext();
    io.vertx.core.Future<Verdict> result = guardrail.check(text, context).andThen(ar -> {
      AtomicLong[] d = decisions.computeIfAbsent(guardrail.name(), k -> new AtomicLong[] {new AtomicLong(),
          new AtomicLong()});
      d[0].addAndGet(System.nanoTime() - start);
      d[1].incrementAndGet();
    });
    if (caller == null || result.isComplete()) {
      return result;
    }
    io.vertx.core.Promise<Verdict> onCaller = io.vertx.core.Promise.promise();
    result.onComplete(ar -> {
      if (io.vertx.core.Vertx.currentContext() == caller) {
        onCaller.handle(ar);
      } else {
        caller.runOnContext(v -> onCaller.handle(ar));
      }
    });
    return onCaller.future();
  }

  /** One guardrail's {total decision nanoseconds, decisions}. */
  public long[] decision(String guardrail) {
    AtomicLong[] d = decisions.get(guardrail);
    return d == null ? new long[2] : new long[] {d[0].get(), d[1].get()};
  }

  /** Guardrail name to {total decision nanoseconds, decisions}, sorted. */
  public Map<String, long[]> decisions() {
    Map<String, long[]> out = new TreeMap<>();
    decisions.forEach((k, v) -> out.put(k, new long[] {v[0].get(), v[1].get()}));
    return out;
  }

  public void blocked(String guardrail, GuardrailMode mode) {
    blocks.computeIfAbsent(guardrail + "\u0000" + mode.configName(), k -> new AtomicLong()).incrementAndGet();
  }

  /** Messages the guardrail blocked in that mode ({@link GuardrailMode#configName()}). */
  public long blocks(String guardrail, String mode) {
    AtomicLong n = blocks.get(guardrail + "\u0000" + mode);
    return n == null ? 0 : n.get();
  }

  /** (guardrail, mode) to count, sorted for stable output. */
  public Map<String[], Long> snapshot() {
    Map<String, Long> sorted = new TreeMap<>();
    blocks.forEach((k, v) -> sorted.put(k, v.get()));
    Map<String[], Long> out = new java.util.LinkedHashMap<>();
    sorted.forEach((k, v) -> out.put(k.split("\u0000", 2), v));
    return out;
  }
}
