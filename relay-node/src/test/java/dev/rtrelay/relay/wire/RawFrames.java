package dev.rtrelay.relay.wire;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Builds frames byte by byte, including the malformed ones a well-behaved client library would never send. */
public final class RawFrames {
  private RawFrames() {}

  /**
   * @param first the first header byte as is: FIN, RSV bits and opcode
   * @param maskKey null for an unmasked frame
   * @param longLength force the 64-bit length form (a valid but unusual encoding)
   */
  public static Buffer frame(int first, byte[] payload, Integer maskKey, boolean longLength) {
    Buffer frame = Buffer.buffer();
    frame.appendByte((byte) first);
    int maskBit = maskKey != null ? 0x80 : 0;
    int length = payload.length;
    if (longLength || length >= 65536) {
      frame.appendByte((byte) (maskBit | 127)).appendLong(length);
    } else if (length >= 126) {
      frame.appendByte((byte) (maskBit | 126)).appendShort((short) length);
    } else {
      frame.appendByte((byte) (maskBit | length));
    }
    if (maskKey == null) {
      return frame.appendBytes(payload);
    }
    frame.appendInt(maskKey);
    for (int i = 0; i < length; i++) {
      frame.appendByte((byte) (payload[i] ^ (maskKey >>> (24 - 8 * (i & 3)))));
    }
    return frame;
  }

  public static Buffer frame(boolean fin, int opcode, byte[] payload, Integer maskKey) {
    return frame((fin ? 0x80 : 0) | opcode, payload, maskKey, false);
  }

  public static Buffer text(String text, Integer maskKey) {
    return frame(true, Frames.TEXT, text.getBytes(StandardCharsets.UTF_8), maskKey);
  }

  public static Buffer close(int code, String reason, Integer maskKey) {
    Buffer payload = Buffer.buffer().appendShort((short) code).appendString(reason);
    return frame(true, Frames.CLOSE, payload.getBytes(), maskKey);
  }

  /** A mask key, or null for the unmasked (server to client) direction. */
  public static Integer key(Random random, boolean masked) {
    return masked ? random.nextInt() : null;
  }
}
