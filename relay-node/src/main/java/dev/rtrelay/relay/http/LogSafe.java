package dev.rtrelay.relay.http;

/**
 * Makes a value a client chose (a model name, a guardrail name, a path) safe to put in a log line: control characters
 * (CR and LF above all, with which a client could forge whole lines) are escaped, and the value is cut to a length
 * that cannot flood a log.
 */
public final class LogSafe {
  static final int MAX_CHARS = 160;

  private LogSafe() {}

  public static String text(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = null;
    int limit = Math.min(value.length(), MAX_CHARS);
    for (int i = 0; i < limit; i++) {
      char c = value.charAt(i);
      boolean control = c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029';
      if (control && out == null) {
        out = new StringBuilder(limit + 16).append(value, 0, i);
      }
      if (out != null) {
        if (control) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
    }
    String safe = out != null ? out.toString() : value.substring(0, limit);
    return value.length() > MAX_CHARS ? safe + "...(" + value.length() + " chars)" : safe;
  }
}
