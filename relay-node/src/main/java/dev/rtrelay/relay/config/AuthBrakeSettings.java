package dev.rtrelay.relay.config;

/**
 * The brake on key guessing ({@code relay_settings.auth_failure_limit}, {@code auth_failure_window_seconds}): after
 * {@code maxFailures} failed authentications from one client address within {@code windowSeconds}, that address is
 * refused with 429 until the window has passed. {@code maxFailures} 0 turns the brake off.
 */
public record AuthBrakeSettings(int maxFailures, int windowSeconds) {
  public static AuthBrakeSettings defaults() {
    return new AuthBrakeSettings(20, 60);
  }

  public boolean enabled() {
    return maxFailures > 0 && windowSeconds > 0;
  }
}
