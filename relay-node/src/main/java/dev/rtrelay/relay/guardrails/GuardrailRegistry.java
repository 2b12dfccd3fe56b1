package dev.rtrelay.relay.guardrails;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** All configured guardrails by name; picks the ones a session runs. */
public final class GuardrailRegistry {
  /** Replaced as a whole by a config reload; a session keeps the guardrails it was admitted with. */
  private volatile Map<String, Guardrail> byName;

  public GuardrailRegistry(Collection<Guardrail> guardrails) {
    byName = byName(guardrails);
  }

  private static Map<String, Guardrail> byName(Collection<Guardrail> guardrails) {
    Map<String, Guardrail> map = new LinkedHashMap<>();
    guardrails.forEach(g -> map.put(g.name(), g));
    return java.util.Collections.unmodifiableMap(map);
  }

  /** The guardrails of a reloaded config (bound), for sessions admitted from now on. */
  public void replace(Collection<Guardrail> guardrails) {
    byName = byName(guardrails);
  }

  /** The names of the guardrails in force now. */
  public java.util.Set<String> names() {
    return java.util.Set.copyOf(byName.keySet());
  }

  /** The guardrail of this name in force now, bound. */
  public Optional<Guardrail> named(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /**
   * The guardrails of one session: every {@code default_on} one, those attached to the key and its team, and those
   * the client asked for ({@code ?guardrails=}); a request can add guardrails, never remove one.
   *
   * @return empty when a requested name does not exist (the caller refuses the session with 400)
   */
  public Optional<List<Guardrail>> forSession(Collection<String> attached, Collection<String> requested) {
    Map<String, Guardrail> byName = this.byName;
    List<Guardrail> chosen = new ArrayList<>();
    for (Guardrail g : byName.values()) {
      if (g.defaultOn() || attached.contains(g.name()) || requested.contains(g.name())) {
        chosen.add(g);
      }
    }
    for (String name : requested) {
      if (!byName.containsKey(name)) {
        return Optional.empty();
      }
    }
    return Optional.of(chosen);
  }
}
