package dev.rtrelay.relay.ws;

import java.nio.charset.StandardCharsets;

/**
 * Maps a close code seen on one side to the code sent to the other. Codes that must never be sent on the wire (1005,
 * 1006, 1015) or are out of range would make the peer see a protocol error, so they are translated deliberately:
 * clients reconnect on 1011, which is what an upstream drop should trigger.
 */
final class CloseCodes {
  static final short NORMAL = 1000;
  static final short GOING_AWAY = 1001;
  static final short POLICY_VIOLATION = 1008;
  static final short MESSAGE_TOO_BIG = 1009;
  static final short INTERNAL_ERROR = 1011;
  private static final int MAX_REASON_BYTES = 123;

  private CloseCodes() {}

  /** Code to send to the client after the upstream closed with {@code code} (null when no close frame came). */
  static short towardClient(Short code) {
    if (code == null || code == 1005) {
      return NORMAL;
    }
    if (code == 1006 || code == 1015) {
      return INTERNAL_ERROR;
    }
    return sendable(code) ? code : INTERNAL_ERROR;
  }

  /** Code to send upstream after the client closed with {@code code}. */
  static short towardUpstream(Short code) {
    if (code == null || code == 1005) {
      return NORMAL;
    }
    if (code == 1006 || code == 1015) {
      return GOING_AWAY;
    }
    return sendable(code) ? code : GOING_AWAY;
  }

  static boolean sendable(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  }

  /** Close reasons are limited to 123 bytes of UTF-8; cut on a character boundary. */
  static String reason(String reason) {
    if (reason == null) {
      return null;
    }
    if (reason.getBytes(StandardCharsets.UTF_8).length <= MAX_REASON_BYTES) {
      return reason;
    }
    StringBuilder out = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < reason.length(); ) {
      int cp = reason.codePointAt(i);
      int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + len > MAX_REASON_BYTES) {
        break;
      }
      out.appendCodePoint(cp);
      bytes += len;
      i += Character.charCount(cp);
    }
    return out.toString();
  }
}
