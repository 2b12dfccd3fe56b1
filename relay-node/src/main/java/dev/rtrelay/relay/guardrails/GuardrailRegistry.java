package dev.rtrelay.relay.guardrails;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** All configured guardrails by name; picks the ones a session runs. */
public final class GuardrailRegistry {
  private final Map<String, Guardrail> byName = new LinkedHashMap<>();

  public GuardrailRegistry(Collection<Guardrail> guardrails) {
    guardrails.forEach(g -> byName.put(g.name(), g));
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
