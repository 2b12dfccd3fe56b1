package dev.rtrelay.relay.guardrails;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Blocks per guardrail and mode on this node, for {@code /metrics}. Names come from config, never from users. */
public final class GuardrailStats {
  private final ConcurrentHashMap<String, AtomicLong> blocks = new ConcurrentHashMap<>();

  public void blocked(String guardrail, GuardrailMode mode) {
    blocks.computeIfAbsent(guardrail + "\u0000" + mode.configName(), k -> new AtomicLong()).incrementAndGet();
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
