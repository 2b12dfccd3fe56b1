package dev.rtrelay.relay.wire;

import io.vertx.core.buffer.Buffer;

/**
 * Streaming UTF-8 validation of a text message's payload as it passes (RFC 6455 §8.1: invalid UTF-8 closes with
 * 1007), fed in pieces that may split a character across frames and reads, and that may still be masked. Realtime
 * traffic is almost all ASCII (JSON around base64 audio), so eight bytes are checked at a time, unmasked with one XOR,
 * until a byte with its high bit set shows up; only then does the byte-wise state machine run.
 */
final class Utf8Check {
  private static final long HIGH_BITS = 0x8080808080808080L;

  /** Continuation bytes the current character still needs (0: at a character boundary). */
  private int need;
  /** Range of the next continuation byte: narrower than 80..BF right after E0, ED, F0 and F4 (RFC 3629). */
  private int lower = 0x80;
  private int upper = 0xBF;

  /**
   * Checks payload bytes {@code [from, to)} of {@code buffer}.
   *
   * @param mask the frame's masking key (big-endian, as on the wire), 0 for an unmasked frame
   * @param phase the payload offset of {@code from} within its frame, modulo 4 (where the mask key rotation starts)
   * @return false as soon as the bytes cannot be UTF-8
   */
  boolean feed(Buffer buffer, int from, int to, int mask, int phase) {
    int i = from;
    int p = phase & 3;
    if (need == 0 && to - i >= 8) {
      long maskLong = mask == 0 ? 0 : repeat(Integer.rotateLeft(mask, 8 * p));
      // Eight payload bytes are eight mask bytes: the rotation phase is unchanged from one word to the next.
      while (to - i >= 8 && ((buffer.getLong(i) ^ maskLong) & HIGH_BITS) == 0) {
        i += 8;
      }
    }
    for (; i < to; i++, p = (p + 1) & 3) {
      int b = (buffer.getByte(i) ^ (mask >>> (24 - 8 * p))) & 0xFF;
      if (!accept(b)) {
        return false;
      }
    }
    return true;
  }

  /** Whether everything fed so far ends on a character boundary (checked when the message ends). */
  boolean complete() {
    return need == 0;
  }

  void reset() {
    need = 0;
    lower = 0x80;
    upper = 0xBF;
  }

  private boolean accept(int b) {
    if (need > 0) {
      if (b < lower || b > upper) {
        return false;
      }
      need--;
      lower = 0x80;
      upper = 0xBF;
      return true;
    }
    if (b < 0x80) {
      return true;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      need = 1;
    } else if (b == 0xE0) {
      need = 2;
      lower = 0xA0;
    } else if (b == 0xED) {
      need = 2;
      upper = 0x9F;
    } else if (b >= 0xE1 && b <= 0xEF) {
      need = 2;
    } else if (b == 0xF0) {
      need = 3;
      lower = 0x90;
    } else if (b == 0xF4) {
      need = 3;
      upper = 0x8F;
    } else if (b >= 0xF1 && b <= 0xF3) {
      need = 3;
    } else {
      return false;
    }
    return true;
  }

  private static long repeat(int word) {
    return ((long) word << 32) | (word & 0xFFFFFFFFL);
  }
}
