package dev.rtrelay.relay.simulated;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The assistant's "voice": a short 440 Hz tone in the Realtime wire format (PCM16 little-endian, mono, 24 kHz),
 * so clients that play or measure audio get something real to decode.
 */
final class SyntheticAudio {
  static final int SAMPLE_RATE = 24_000;
  static final int BYTES_PER_SAMPLE = 2;
  static final int CHUNK_MILLIS = 20;
  static final int CHUNK_BYTES = SAMPLE_RATE / 1000 * CHUNK_MILLIS * BYTES_PER_SAMPLE;
  static final int CHUNK_COUNT = 5;
  static final int TOTAL_BYTES = CHUNK_BYTES * CHUNK_COUNT;

  private static final double FREQUENCY_HZ = 440.0;
  // Well below full scale so nobody's speakers get a square-ish blast during a demo.
  private static final double AMPLITUDE = 0.25;

  // Every response carries the same tone: computed once, and the phase runs on across chunk boundaries
  // so the concatenated audio has no clicks.
  private static final List<String> CHUNKS = encodeChunks(tone(TOTAL_BYTES / BYTES_PER_SAMPLE));

  private SyntheticAudio() {
  }

  static List<String> base64Chunks() {
    return CHUNKS;
  }

  static byte[] tone(int samples) {
    byte[] pcm = new byte[samples * BYTES_PER_SAMPLE];
    for (int i = 0; i < samples; i++) {
      short value = (short) Math.round(Math.sin(2 * Math.PI * FREQUENCY_HZ * i / SAMPLE_RATE) * AMPLITUDE
          * Short.MAX_VALUE);
      pcm[2 * i] = (byte) value;
      pcm[2 * i + 1] = (byte) (value >> 8);
    }
    return pcm;
  }

  private static List<String> encodeChunks(byte[] pcm) {
    List<String> chunks = new ArrayList<>(CHUNK_COUNT);
    Base64.Encoder encoder = Base64.getEncoder();
    for (int offset = 0; offset < pcm.length; offset += CHUNK_BYTES) {
      byte[] chunk = new byte[Math.min(CHUNK_BYTES, pcm.length - offset)];
      System.arraycopy(pcm, offset, chunk, 0, chunk.length);
      chunks.add(encoder.encodeToString(chunk));
    }
    return List.copyOf(chunks);
  }
}
