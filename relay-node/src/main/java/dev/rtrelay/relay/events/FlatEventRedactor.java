package dev.rtrelay.relay.events;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The fast way to log an audio event with its audio replaced by its byte length. With
 * {@code logged_real_time_event_types: "*"} nearly every logged event is an {@code input_audio_buffer.append} or an
 * audio delta, about 1.3 KB of which 1,280 bytes are base64; running each through a JSON parser cost more relay CPU
 * than forwarding the frame. Audio events are flat objects of short strings and integers, so this reads them with a
 * byte scan. Anything else (nesting, escapes, non-ASCII text, fractions, malformed input) returns null and the caller
 * takes the streaming parser, so the result is always what {@link EventJson#copy} would write: compact JSON with the
 * same fields in the same order.
 */
final class FlatEventRedactor {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long QUOTES = ONES * '"';
  private static final long BACKSLASHES = ONES * '\\';
  private static final long SPACES = ONES * ' ';
  private static final String[] LITERALS = {"true", "false", "null"};

  private FlatEventRedactor() {}

  /**
   * {@code json} as compact JSON with the string value of the top-level {@code redactField} replaced by the number of
   * bytes its base64 decodes to; null when {@code json} is not a flat object this scan accepts.
   */
  static String redact(byte[] json, String redactField) {
    StringBuilder out = new StringBuilder(160);
    int i = skipSpace(json, 0);
    if (i >= json.length || json[i] != '{') {
      return null;
    }
    out.append('{');
    i = skipSpace(json, i + 1);
    if (i < json.length && json[i] == '}') {
      return trailingSpaceOnly(json, i + 1) ? out.append('}').toString() : null;
    }
    while (true) {
      int keyEnd = plainStringEnd(json, i);
      if (keyEnd < 0) {
        return null;
      }
      boolean redacted = keyEnd - i - 1 == redactField.length() && regionEquals(json, i + 1, redactField);
      appendAscii(out, json, i, keyEnd + 1);
      i = skipSpace(json, keyEnd + 1);
      if (i >= json.length || json[i] != ':') {
        return null;
      }
      out.append(':');
      i = skipSpace(json, i + 1);
      int valueEnd = scalarEnd(json, i);
      if (valueEnd < 0) {
        return null;
      }
      if (redacted && json[i] == '"') {
        out.append(base64Bytes(json, i + 1, valueEnd - 1));
      } else {
        appendAscii(out, json, i, valueEnd);
      }
      i = skipSpace(json, valueEnd);
      if (i >= json.length) {
        return null;
      }
      if (json[i] == '}') {
        return trailingSpaceOnly(json, i + 1) ? out.append('}').toString() : null;
      }
      if (json[i] != ',') {
        return null;
      }
      out.append(',');
      i = skipSpace(json, i + 1);
    }
  }

  /**
   * End (exclusive) of a string, integer, {@code true}, {@code false} or {@code null} starting at {@code i}; -1 for
   * anything else.
   */
  private static int scalarEnd(byte[] json, int i) {
    if (i >= json.length) {
      return -1;
    }
    byte b = json[i];
    if (b == '"') {
      int end = plainStringEnd(json, i);
      return end < 0 ? -1 : end + 1;
    }
    if (b == '-' || (b >= '0' && b <= '9')) {
      return integerEnd(json, i);
    }
    for (String literal : LITERALS) {
      if (json.length - i >= literal.length() && regionEquals(json, i, literal)) {
        return i + literal.length();
      }
    }
    return -1;
  }

  /** JSON integer grammar only ({@code -?(0|[1-9][0-9]*)}); fractions and exponents are left to the parser. */
  private static int integerEnd(byte[] json, int i) {
    int start = json[i] == '-' ? i + 1 : i;
    if (start >= json.length || json[start] < '0' || json[start] > '9') {
      return -1;
    }
    int end = start + 1;
    if (json[start] != '0') {
      while (end < json.length && json[end] >= '0' && json[end] <= '9') {
        end++;
      }
    }
    if (end < json.length && (json[end] == '.' || json[end] == 'e' || json[end] == 'E'
        || (json[end] >= '0' && json[end] <= '9'))) {
      return -1;
    }
    return end;
  }

  /**
   * Index of the closing quote of a string opening at {@code i} whose content is printable ASCII without escapes;
   * -1 otherwise.
   */
  private static int plainStringEnd(byte[] json, int i) {
    if (i >= json.length || json[i] != '"') {
      return -1;
    }
    int j = i + 1;
    // Eight bytes at a time while none of them needs a closer look: base64 audio is over a thousand bytes, and a byte
    // loop over it costs as much as the parser did.
    while (j + Long.BYTES <= json.length && ordinary((long) LONGS.get(json, j))) {
      j += Long.BYTES;
    }
    for (; j < json.length; j++) {
      byte b = json[j];
      if (b == '"') {
        return j;
      }
      // Negative bytes are non-ASCII UTF-8, below 0x20 is invalid in JSON strings; the parser handles both.
      if (b == '\\' || b < 0x20) {
        return -1;
      }
    }
    return -1;
  }

  /** True when none of the eight bytes is a quote, a backslash, a control character or non-ASCII. */
  private static boolean ordinary(long word) {
    return (hasZeroByte(word ^ QUOTES) | hasZeroByte(word ^ BACKSLASHES) | ((word - SPACES) & ~word & HIGH_BITS)
        | (word & HIGH_BITS)) == 0;
  }

  /** Non-zero when some byte of {@code v} is zero (the classic SWAR test; exact as a yes/no answer). */
  private static long hasZeroByte(long v) {
    return (v - ONES) & ~v & HIGH_BITS;
  }

  private static long base64Bytes(byte[] json, int from, int to) {
    int padding = 0;
    for (int i = to - 1; i >= from && json[i] == '='; i--) {
      padding++;
    }
    return EventJson.base64Bytes(to - from, padding);
  }

  private static int skipSpace(byte[] json, int i) {
    while (i < json.length && (json[i] == ' ' || json[i] == '\n' || json[i] == '\r' || json[i] == '\t')) {
      i++;
    }
    return i;
  }

  private static boolean trailingSpaceOnly(byte[] json, int i) {
    return skipSpace(json, i) == json.length;
  }

  /** @param expected ASCII text */
  private static boolean regionEquals(byte[] json, int from, String expected) {
    for (int k = 0; k < expected.length(); k++) {
      if (json[from + k] != expected.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private static void appendAscii(StringBuilder out, byte[] json, int from, int to) {
    for (int k = from; k < to; k++) {
      out.append((char) json[k]);
    }
  }
}
