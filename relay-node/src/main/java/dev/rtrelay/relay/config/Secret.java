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

  /**
   * Equal values, compared in constant time: a config reload compares deployments (keys included) to tell which ones
   * changed, and must not leak through timing how much of a key matched.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof Secret s && java.security.MessageDigest.isEqual(
        value.getBytes(java.nio.charset.StandardCharsets.UTF_8), s.value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.length();
  }

  @Override
  public String toString() {
    return "****";
  }
}
