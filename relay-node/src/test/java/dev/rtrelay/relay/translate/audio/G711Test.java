package dev.rtrelay.relay.translate.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class G711Test {

  private static short ulaw(int code) {
    return Signals.toShorts(G711.ulawToPcm16(new byte[] {(byte) code}))[0];
  }

  private static short alaw(int code) {
    return Signals.toShorts(G711.alawToPcm16(new byte[] {(byte) code}))[0];
  }

  @Test
  void muLawKnownCodewords() {
    assertEquals(0, ulaw(0xFF));
    assertEquals(0, ulaw(0x7F));
    assertEquals(-32124, ulaw(0x00));
    assertEquals(32124, ulaw(0x80));
    assertEquals(-8, ulaw(0x7E));
    assertEquals(8, ulaw(0xFE));
  }

  @Test
  void aLawKnownCodewords() {
    assertEquals(8, alaw(0xD5));
    assertEquals(-8, alaw(0x55));
    assertEquals(32256, alaw(0xAA));
    assertEquals(-32256, alaw(0x2A));
    assertEquals(24, alaw(0xD4));
  }

  /**
  * Reconstruction levels written the way G.711 tables describe them (interval
  * mid-points in 14-bit mu-law / 13-bit A-law units), not the bit tricks used in
  * the decoder.
  */
  @Test
  void wholeTablesMatchItuReconstructionLevels() {
    for (int code = 0; code < 256; code++) {
      int u = ~code & 0xFF;
      int uExp = (u >> 4) & 7;
      int uMant = u & 15;
      int uMag = 4 * (((2 * uMant + 33) << uExp) - 33);
      assertEquals((u & 0x80) != 0 ? -uMag : uMag, ulaw(code), "mu-law 0x" + Integer.toHexString(code));

      int a = code ^ 0x55;
      int seg = (a >> 4) & 7;
      int aMant = a & 15;
      int aMag = 8 * (seg == 0 ? 2 * aMant + 1 : (2 * aMant + 33) << (seg - 1));
      assertEquals((a & 0x80) != 0 ? aMag : -aMag, alaw(code), "A-law 0x" + Integer.toHexString(code));
    }
  }

  @Test
  void codewordsMapMonotonicallyWithinEachSign() {
    for (int code = 1; code < 0x80; code++) {
      assertTrue(ulaw(code) > ulaw(code - 1), "mu-law negative half at " + code);
      assertTrue(ulaw(0x80 + code) < ulaw(0x80 + code - 1), "mu-law positive half at " + code);
    }
    Set<Short> alawLevels = new HashSet<>();
    for (int code = 0; code < 256; code++) {
      alawLevels.add(alaw(code));
    }
    assertEquals(256, alawLevels.size(), "A-law has no duplicate (zero) level");
  }

  @Test
  void outputIsLittleEndianAndTwiceAsLong() {
    byte[] pcm = G711.ulawToPcm16(new byte[] {0x00, (byte) 0x80, (byte) 0xFF});
    // -32124 = 0x8284, 32124 = 0x7D7C
    assertArrayEquals(new byte[] {(byte) 0x84, (byte) 0x82, 0x7C, 0x7D, 0, 0}, pcm);
    assertEquals(0, G711.alawToPcm16(new byte[0]).length);
  }
}
