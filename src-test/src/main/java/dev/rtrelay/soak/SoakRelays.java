package dev.rtrelay.soak;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Which relays clients may connect to right now. The harness takes a relay out before it kills or stops it and puts
 * it back once it is ready again (after its baseline was read), as a load balancer's health check would.
 */
final class SoakRelays {
  record Choice(String name, int port) {}

  private final List<Choice> all;
  private final List<String> up = new CopyOnWriteArrayList<>();

  SoakRelays(List<Choice> all) {
    this.all = List.copyOf(all);
  }

  void up(String name) {
    if (!up.contains(name)) {
      up.add(name);
    }
  }

  void down(String name) {
    up.remove(name);
  }

  /** The slot's own relay (slots alternate) when it is up, else any relay that is, else null. */
  Choice pick(int slot) {
    Choice preferred = all.get(slot % all.size());
    if (up.contains(preferred.name())) {
      return preferred;
    }
    return all.stream().filter(c -> up.contains(c.name())).findFirst().orElse(null);
  }
}
