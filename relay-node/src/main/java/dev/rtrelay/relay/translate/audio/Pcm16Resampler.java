package dev.rtrelay.relay.translate.audio;

import java.util.Arrays;
import java.util.Objects;

/**
* Streaming rational resampler for mono PCM16 little-endian audio.
*
* <p>Conceptually: zero-stuff by L, low-pass at the higher rate, keep every M-th
* sample. Only the taps that land on real (non-stuffed) input samples are ever
* evaluated, and only for the outputs that survive decimation, so the cost is
* {@code tapsPerPhase} multiply-adds per output sample.
*
* <p>All state (filter history, polyphase position, a dangling odd byte) lives in
* the instance, so feeding a stream in any chunking yields byte-for-byte the same
* output as feeding it in one piece. Output is causal: the filter's group delay
* (~1.3 ms for 24k/16k, ~3 ms for 8k->16k) is not trimmed, so that the output
* length always tracks {@code ceil(inputSamples * L / M)} exactly.
*
* <p>Not thread-safe: one instance per stream direction.
*/
public final class Pcm16Resampler {

  private final int interpolation;
  private final int decimation;
  private final int tapsPerPhase;
  /** Branch coefficients reversed so the inner loop walks input forwards. */
  private final double[][] reversedBranches;
  private final int[] inputAdvance;
  private final int[] nextPhase;

  /**
  * First {@code tapsPerPhase - 1} slots: the previous chunk's tail (silence at
  * start), followed by the current chunk. Kept between calls to avoid garbage
  * per chunk on the audio path.
  */
  private double[] work;
  private int phase;
  /** Input index of the next output's newest sample, relative to the current chunk. */
  private int nextInput;
  private int pendingLowByte = -1;

  private Pcm16Resampler(int interpolation, int decimation, int tapsPerPhase,
             double inputRate, double cutoffHz, double beta) {
    this.interpolation = interpolation;
    this.decimation = decimation;
    this.tapsPerPhase = tapsPerPhase;
    double[][] branches = KaiserLowPass.polyphase(interpolation, tapsPerPhase, inputRate, cutoffHz, beta);
    this.reversedBranches = new double[interpolation][tapsPerPhase];
    for (int p = 0; p < interpolation; p++) {
      for (int t = 0; t < tapsPerPhase; t++) {
        reversedBranches[p][t] = branches[p][tapsPerPhase - 1 - t];
      }
    }
    // Output n sits at upsampled time n*M: branch (n*M) mod L, newest input
    // floor(n*M / L). Stepping n by one moves that by M, which these tables encode.
    this.inputAdvance = new int[interpolation];
    this.nextPhase = new int[interpolation];
    for (int p = 0; p < interpolation; p++) {
      inputAdvance[p] = (p + decimation) / interpolation;
      nextPhase[p] = (p + decimation) % interpolation;
    }
    this.work = new double[tapsPerPhase - 1 + 4096];
  }

  /**
  * 24 kHz to 16 kHz. Cutoff 7.4 kHz (-6 dB) with the stopband (> 80 dB) starting
  * by 8.4 kHz: the 8.4-12 kHz content that would fold back into 4-7.6 kHz is
  * suppressed, and what little folds from 8-8.4 kHz lands above the speech band.
  */
  public static Pcm16Resampler from24kTo16k() {
    return new Pcm16Resampler(2, 3, 64, 24_000, 7_400, 8.0);
  }

  /** 16 kHz to 24 kHz; the same 48 kHz prototype rejects the spectral images above 8 kHz. */
  public static Pcm16Resampler from16kTo24k() {
    return new Pcm16Resampler(3, 2, 43, 16_000, 7_400, 8.0);
  }

  /**
  * 8 kHz (e.g. decoded G.711) to 16 kHz. G.711 is band-limited to ~3.4 kHz, so
  * cutting at 3.7 kHz loses nothing audible while removing the 4-8 kHz image.
  */
  public static Pcm16Resampler from8kTo16k() {
    return new Pcm16Resampler(2, 1, 48, 8_000, 3_700, 8.0);
  }

  /**
  * Returns all output that the bytes received so far determine; never null, often
  * empty for tiny chunks. A trailing odd byte is held until its partner arrives.
  */
  public byte[] process(byte[] chunk) {
    Objects.requireNonNull(chunk, "chunk");
    int history = tapsPerPhase - 1;
    int available = chunk.length + (pendingLowByte >= 0 ? 1 : 0);
    int newSamples = available / 2;
    ensureCapacity(history + newSamples);

    int src = 0;
    int dst = history;
    if (pendingLowByte >= 0 && chunk.length > 0) {
      work[dst++] = (short) (pendingLowByte | (chunk[0] << 8));
      src = 1;
      pendingLowByte = -1;
    }
    while (src + 1 < chunk.length) {
      work[dst++] = (short) ((chunk[src] & 0xFF) | (chunk[src + 1] << 8));
      src += 2;
    }
    if (src < chunk.length) {
      pendingLowByte = chunk[src] & 0xFF;
    }

    byte[] out = new byte[2 * (int) (((long) newSamples * interpolation) / decimation + 2)];
    int written = 0;
    int p = phase;
    int next = nextInput;
    while (next < newSamples) {
      double[] coeffs = reversedBranches[p];
      // The newest sample sits at history + next, so the T-sample window
      // begins exactly at next; history is what makes chunk edges seamless.
      double acc = 0;
      for (int t = 0; t < tapsPerPhase; t++) {
        acc += coeffs[t] * work[next + t];
      }
      int sample = toPcm16(acc);
      out[written++] = (byte) sample;
      out[written++] = (byte) (sample >> 8);
      next += inputAdvance[p];
      p = nextPhase[p];
    }
    phase = p;
    nextInput = next - newSamples;
    System.arraycopy(work, newSamples, work, 0, history);
    return written == out.length ? out : Arrays.copyOf(out, written);
  }

  /** Drops all history so the instance can start an unrelated stream. */
  public void reset() {
    Arrays.fill(work, 0);
    phase = 0;
    nextInput = 0;
    pendingLowByte = -1;
  }

  /** Interleaved prototype (after branch normalisation), for reference checks in tests. */
  double[] prototype() {
    double[] h = new double[interpolation * tapsPerPhase];
    for (int p = 0; p < interpolation; p++) {
      for (int t = 0; t < tapsPerPhase; t++) {
        h[p + interpolation * t] = reversedBranches[p][tapsPerPhase - 1 - t];
      }
    }
    return h;
  }

  int interpolation() {
    return interpolation;
  }

  int decimation() {
    return decimation;
  }

  private void ensureCapacity(int needed) {
    if (work.length < needed) {
      work = Arrays.copyOf(work, Math.max(needed, work.length * 2));
    }
  }

  private static int toPcm16(double value) {
    // Overshoot (Gibbs ringing on full-scale steps) must saturate, not wrap to
    // the opposite sign, which would be a loud click.
    long rounded = Math.round(value);
    if (rounded > Short.MAX_VALUE) {
      return Short.MAX_VALUE;
    }
    if (rounded < Short.MIN_VALUE) {
      return Short.MIN_VALUE;
    }
    return (int) rounded;
  }
}
