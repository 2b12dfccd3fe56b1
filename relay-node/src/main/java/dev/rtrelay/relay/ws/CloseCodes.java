package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.wire.Frames;

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

  private CloseCodes() {}

  /** Code to send to the client after the upstream closed with {@code code} (null when no code came). */
  static short towardClient(Integer code) {
    if (code == null || code == 1005) {
      return NORMAL;
    }
    return Frames.validCloseCode(code) ? code.shortValue() : INTERNAL_ERROR;
  }

  /** Code to send upstream after the client closed with {@code code} (null when no code came). */
  static short towardUpstream(Integer code) {
    if (code == null || code == 1005) {
      return NORMAL;
    }
    return Frames.validCloseCode(code) ? code.shortValue() : GOING_AWAY;
  }

  static Integer of(Short code) {
    return code == null ? null : code.intValue();
  }

  /** Close reasons are limited to 123 bytes of UTF-8; cut on a character boundary. */
  static String reason(String reason) {
    return reason == null ? null : Frames.cutReason(reason);
  }
}
