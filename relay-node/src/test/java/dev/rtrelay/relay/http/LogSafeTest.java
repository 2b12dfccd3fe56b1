package dev.rtrelay.relay.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Client-chosen values in log lines: control characters escaped, length capped, ordinary text untouched. */
class LogSafeTest {
  @Test
  void lineBreaksAndOtherControlsAreEscaped() {
    assertEquals("a\\u000d\\u000aFORGED\\u0009x\\u001b[31m", LogSafe.text("a\r\nFORGED\tx\u001b[31m"));
    assertEquals("\\u2028", LogSafe.text("\u2028"));
  }

  @Test
  void ordinaryTextIsUnchangedAndLongValuesAreCut() {
    assertEquals("gpt-realtime ünïcödé", LogSafe.text("gpt-realtime ünïcödé"));
    String cut = LogSafe.text("x".repeat(10_000));
    assertTrue(cut.startsWith("x".repeat(LogSafe.MAX_CHARS) + "...(10000 chars)"), cut);
    assertEquals("null", LogSafe.text(null));
  }
}
