package dev.rtrelay.relay.config;

import java.util.Objects;

/**
 * A credential read from config. Its {@code toString} never reveals the value, so a secret that slips into a log
 * statement, an exception message or a debugger print shows as a mask instead.
 */
public final class Secret {
  private final String value;

  public Secret(String value) {
    this.value = Objects.requireNonNull(value);
  }

  /** The raw value: call it only where the secret leaves the process on purpose (an upstream auth header). */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "****";
  }
}
