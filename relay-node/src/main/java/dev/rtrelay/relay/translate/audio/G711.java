package dev.rtrelay.relay.translate.audio;

import java.util.Objects;

/**
* G.711 (mu-law and A-law) to PCM16 little-endian, sample rate unchanged (8 kHz).
*
* <p>Decoding is a 256-entry lookup: codewords are independent bytes, so there is
* no streaming state and chunks can be decoded as they arrive.
*/
public final class G711 {

  private static final short[] ULAW = new short[256];
  private static final short[] ALAW = new short[256];

  static {
    for (int code = 0; code < 256; code++) {
      ULAW[code] = (short) decodeUlaw(code);
      ALAW[code] = (short) decodeAlaw(code);
    }
  }

  private G711() {
  }

  public static byte[] ulawToPcm16(byte[] encoded) {
    return decode(encoded, ULAW);
  }

  public static byte[] alawToPcm16(byte[] encoded) {
    return decode(encoded, ALAW);
  }

  static short ulawSample(byte code) {
    return ULAW[code & 0xFF];
  }

  static short alawSample(byte code) {
    return ALAW[code & 0xFF];
  }

  private static byte[] decode(byte[] encoded, short[] table) {
    Objects.requireNonNull(encoded, "encoded");
    byte[] pcm = new byte[encoded.length * 2];
    for (int i = 0; i < encoded.length; i++) {
      short s = table[encoded[i] & 0xFF];
      pcm[2 * i] = (byte) s;
      pcm[2 * i + 1] = (byte) (s >> 8);
    }
    return pcm;
  }

  /** ITU-T G.711 mu-law; codewords are transmitted bit-inverted, hence the complement. */
  private static int decodeUlaw(int code) {
    int u = ~code & 0xFF;
    int exponent = (u >> 4) & 0x07;
    int mantissa = u & 0x0F;
    // 0x84 is the encoder's bias (33 in 14-bit units, scaled by 4 to 16 bits).
    int magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    return (u & 0x80) != 0 ? -magnitude : magnitude;
  }

  /** ITU-T G.711 A-law; even bits are inverted on the wire (XOR 0x55). */
  private static int decodeAlaw(int code) {
    int a = (code ^ 0x55) & 0xFF;
    int segment = (a >> 4) & 0x07;
    int mantissa = a & 0x0F;
    int magnitude = segment == 0
        ? (mantissa << 4) + 8
        : ((mantissa << 4) + 0x108) << (segment - 1);
    // A-law's sign bit is set for positive values, the opposite of mu-law.
    return (a & 0x80) != 0 ? magnitude : -magnitude;
  }
}
