package dev.rtrelay.relay;

import dev.rtrelay.relay.config.RelayConfig;

/**
 * The config a node is running with now: the one it started with until a reload ({@link ConfigReload}) replaces it.
 * Sessions read what they need at admission, so a replacement never reaches a session already open.
 */
final class LiveConfig {
  private volatile RelayConfig current;

  LiveConfig(RelayConfig initial) {
    this.current = initial;
  }

  RelayConfig current() {
    return current;
  }

  void set(RelayConfig next) {
    current = next;
  }
}
