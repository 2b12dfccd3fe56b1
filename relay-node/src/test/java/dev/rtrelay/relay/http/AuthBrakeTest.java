package dev.rtrelay.relay.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rtrelay.relay.config.AuthBrakeSettings;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The brake's window arithmetic, on a clock the test moves. */
class AuthBrakeTest {
  @Test
  void anAddressIsBrakedAfterTheLimitUntilItsWindowHasPassed() {
    AtomicLong now = new AtomicLong(1_000_000);
    AuthBrake brake = new AuthBrake(new AuthBrakeSettings(2, 60), List.of(), now::get);
    brake.failed("203.0.113.7");
    brake.check("203.0.113.7");
    brake.failed("203.0.113.7");
    RelayException braked = assertThrows(RelayException.class, () -> brake.check("203.0.113.7"));
    assertEquals(429, braked.status());
    assertEquals(60, braked.retryAfterSeconds().orElseThrow());
    brake.check("203.0.113.8");
    now.addAndGet(59_500);
    assertEquals(1, assertThrows(RelayException.class, () -> brake.check("203.0.113.7")).retryAfterSeconds()
        .orElseThrow());
    now.addAndGet(500);
    brake.check("203.0.113.7");
  }

  @Test
  void failuresInAnOldWindowDoNotCountInTheNext() {
    AtomicLong now = new AtomicLong(0);
    AuthBrake brake = new AuthBrake(new AuthBrakeSettings(2, 10), List.of(), now::get);
    brake.failed("a");
    now.addAndGet(11_000);
    brake.failed("a");
    brake.check("a");
  }
}
