package dev.rtrelay.relay.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming check agrees with the JDK's strict UTF-8 decoder, however the bytes are split and masked. */
class Utf8CheckTest {
  private static boolean jdkValid(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** Mostly valid text with ASCII runs (the fast path), multi-byte characters, and now and then a broken byte. */
  private static byte[] sample(Random random) {
    StringBuilder text = new StringBuilder();
    int parts = 1 + random.nextInt(12);
    for (int i = 0; i < parts; i++) {
      switch (random.nextInt(4)) {
        case 0 -> text.append("{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAECAwQFBgc=\"}".substring(0,
            random.nextInt(50)));
        case 1 -> text.append("ünïcödé ✓ 日本語 ");
        case 2 -> text.appendCodePoint(0x1F600 + random.nextInt(50));
        default -> text.append((char) ('a' + random.nextInt(26)));
      }
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    if (random.nextInt(3) == 0 && bytes.length > 0) {
      // Overlongs, surrogates, stray continuations, values over U+10FFFF, truncations.
      int[] bad = {0xC0, 0xC1, 0x80, 0xBF, 0xED, 0xF4, 0xF5, 0xFF, 0xE0, 0xF0};
      bytes[random.nextInt(bytes.length)] = (byte) bad[random.nextInt(bad.length)];
    }
    return bytes;
  }

  @Test
  void agreesWithTheJdkDecoderOnRandomInputSplitAndMaskedAnyhow() {
    Random random = new Random(42);
    for (int round = 0; round < 20_000; round++) {
      byte[] plain = sample(random);
      int mask = random.nextBoolean() ? 0 : random.nextInt();
      int startPhase = random.nextInt(4);
      byte[] wire = new byte[plain.length];
      for (int i = 0; i < plain.length; i++) {
        wire[i] = (byte) (plain[i] ^ (mask >>> (24 - 8 * ((startPhase + i) & 3))));
      }
      Buffer buffer = Buffer.buffer(wire);
      Utf8Check check = new Utf8Check();
      boolean valid = true;
      int at = 0;
      while (at < wire.length && valid) {
        int piece = 1 + random.nextInt(wire.length - at);
        valid = check.feed(buffer, at, at + piece, mask, startPhase + at);
        at += piece;
      }
      valid = valid && check.complete();
      assertEquals(jdkValid(plain), valid, () -> "bytes " + java.util.HexFormat.of().formatHex(plain));
    }
  }
}
