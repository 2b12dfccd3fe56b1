package dev.rtrelay.relay.wire;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * RFC 6455 opcodes and the frames the relay writes itself (close, ping, pong, error events, rewritten messages).
 * Forwarded frames are never re-encoded; only these are. Towards an upstream the relay is the client, so its own
 * frames there are masked, with a fresh unpredictable key each (RFC 6455 §5.3).
 */
public final class Frames {
  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;
  /** Control frames carry at most 125 payload bytes (RFC 6455 §5.5). */
  static final int MAX_CONTROL_PAYLOAD = 125;
  private static final SecureRandom MASKS = new SecureRandom();

  private Frames() {}

  /** One final frame with {@code payload}, masked when {@code mask}. */
  public static Buffer encode(int opcode, Buffer payload, boolean mask) {
    int length = payload.length();
    Buffer frame = Buffer.buffer(length + 14);
    frame.appendByte((byte) (0x80 | opcode));
    int maskBit = mask ? 0x80 : 0;
    if (length < 126) {
      frame.appendByte((byte) (maskBit | length));
    } else if (length < 65536) {
      frame.appendByte((byte) (maskBit | 126)).appendShort((short) length);
    } else {
      frame.appendByte((byte) (maskBit | 127)).appendLong(length);
    }
    if (!mask) {
      return frame.appendBuffer(payload);
    }
    int key = MASKS.nextInt();
    frame.appendInt(key);
    for (int i = 0; i < length; i++) {
      frame.appendByte((byte) (payload.getByte(i) ^ (key >>> (24 - 8 * (i & 3)))));
    }
    return frame;
  }

  public static Buffer text(String text, boolean mask) {
    return encode(TEXT, Buffer.buffer(text), mask);
  }

  /** A close frame; the reason is cut to fit the 123 bytes a control frame leaves for it. */
  public static Buffer close(int code, String reason, boolean mask) {
    Buffer payload = Buffer.buffer().appendShort((short) code);
    if (reason != null && !reason.isEmpty()) {
      payload.appendString(cutReason(reason));
    }
    return encode(CLOSE, payload, mask);
  }

  static boolean isControl(int opcode) {
    return (opcode & 0x8) != 0;
  }

  static boolean isKnown(int opcode) {
    return opcode <= BINARY || (opcode >= CLOSE && opcode <= PONG);
  }

  /** Close codes a peer may put in a close frame (RFC 6455 §7.4; 1012–1014 are registered since). */
  public static boolean validCloseCode(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  }

  /** Close reasons must fit in 123 bytes of UTF-8 (125 minus the code): cut on a character boundary. */
  public static String cutReason(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_CONTROL_PAYLOAD - 2) {
      return reason;
    }
    int end = MAX_CONTROL_PAYLOAD - 2;
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }
}
