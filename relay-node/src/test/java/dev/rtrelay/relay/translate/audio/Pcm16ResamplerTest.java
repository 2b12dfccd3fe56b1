package dev.rtrelay.relay.translate.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Pcm16ResamplerTest {

  record Conversion(String name, Supplier<Pcm16Resampler> factory, int inRate, int outRate) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Conversion> conversions() {
    return Stream.of(
        new Conversion("24k->16k", Pcm16Resampler::from24kTo16k, 24_000, 16_000),
        new Conversion("16k->24k", Pcm16Resampler::from16kTo24k, 16_000, 24_000),
        new Conversion("8k->16k", Pcm16Resampler::from8kTo16k, 8_000, 16_000));
  }

  /** Output samples to skip so the zero-history start-up ramp is not measured. */
  private static final int SETTLE = 240;

  static short[] noise(long seed, int count, int amplitude) {
    Random rnd = new Random(seed);
    short[] x = new short[count];
    for (int i = 0; i < count; i++) {
      x[i] = (short) (rnd.nextInt(2 * amplitude + 1) - amplitude);
    }
    return x;
  }

  static byte[] feedInRandomChunks(Pcm16Resampler r, byte[] input, long seed) {
    Random rnd = new Random(seed);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    while (pos < input.length) {
      // Bias towards tiny chunks: 0, 1, 2 and 3 bytes are where carry-over bugs hide.
      int size = rnd.nextInt(4) == 0 ? rnd.nextInt(4) : rnd.nextInt(1501);
      size = Math.min(size, input.length - pos);
      byte[] chunk = new byte[size];
      System.arraycopy(input, pos, chunk, 0, size);
      out.writeBytes(r.process(chunk));
      pos += size;
    }
    return out.toByteArray();
  }

  @Test
  void outputIsExactlyTwoThirdsWhenEveryChunkHoldsWholeSampleTriples() {
    Pcm16Resampler r = Pcm16Resampler.from24kTo16k();
    Random rnd = new Random(1);
    long totalIn = 0;
    long totalOut = 0;
    while (totalIn < 24_000 * 60) {
      int samples = 3 * (1 + rnd.nextInt(400));
      byte[] produced = r.process(new byte[samples * 2]);
      assertEquals(samples * 2 / 3 * 2, produced.length, "per-chunk bytes for " + samples + " samples");
      totalIn += samples;
      totalOut += produced.length / 2;
    }
    assertEquals(totalIn * 2 / 3, totalOut);
  }

  @Test
  void outputNeverDriftsMoreThanOneSampleFromTwoThirdsUnderArbitraryChunking() {
    Pcm16Resampler r = Pcm16Resampler.from24kTo16k();
    Random rnd = new Random(2);
    long inBytes = 0;
    long outSamples = 0;
    for (int i = 0; i < 20_000; i++) {
      int size = rnd.nextInt(1000);
      byte[] produced = r.process(new byte[size]);
      assertEquals(0, produced.length % 2, "output must be whole samples");
      inBytes += size;
      outSamples += produced.length / 2;
      double ideal = (inBytes / 2) * 2.0 / 3.0;
      assertTrue(Math.abs(outSamples - ideal) < 1.0,
          "after " + inBytes + " bytes: " + outSamples + " samples vs ideal " + ideal);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void outputLengthFollowsRatioForEveryConversion(Conversion c) {
    int inSamples = c.inRate() * 3;
    byte[] out = c.factory().get().process(new byte[inSamples * 2]);
    assertEquals((long) inSamples * c.outRate() / c.inRate(), out.length / 2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void chunkedOutputIsByteIdenticalToOneShot(Conversion c) {
    byte[] input = Signals.toBytes(noise(3, c.inRate() * 4, 30_000));
    byte[] oneShot = c.factory().get().process(input);
    for (long seed = 10; seed < 15; seed++) {
      assertArrayEquals(oneShot, feedInRandomChunks(c.factory().get(), input, seed), "seed " + seed);
    }
  }

  @Test
  void oddByteSplitAcrossChunksIsReassembled() {
    byte[] input = Signals.toBytes(noise(4, 3_001, 20_000));
    byte[] oneShot = Pcm16Resampler.from24kTo16k().process(input);
    Pcm16Resampler r = Pcm16Resampler.from24kTo16k();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte b : input) {
      out.writeBytes(r.process(new byte[] {b}));
    }
    assertArrayEquals(oneShot, out.toByteArray());
  }

  /** Proves the polyphase indexing against literal zero-stuff / filter / decimate. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void polyphaseMatchesNaiveZeroStuffingReference(Conversion c) {
    Pcm16Resampler r = c.factory().get();
    short[] x = noise(5, 4_000, 25_000);
    double[] ref = Signals.naiveResample(x, r.prototype(), r.interpolation(), r.decimation());
    short[] y = Signals.toShorts(r.process(Signals.toBytes(x)));
    assertEquals(ref.length, y.length);
    for (int i = 0; i < y.length; i++) {
      long expected = Math.max(-32768, Math.min(32767, Math.round(ref[i])));
      // Summation order differs, so an exact .5 may round either way.
      assertTrue(Math.abs(expected - y[i]) <= 1, "sample " + i + ": " + y[i] + " vs " + ref[i]);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void oneKilohertzSineKeepsFrequencyAmplitudeAndPurity(Conversion c) {
    double amplitude = 16_000;
    short[] x = Signals.sine(1_000, c.inRate(), amplitude, c.inRate() * 2);
    short[] y = Signals.toShorts(c.factory().get().process(Signals.toBytes(x)));
    int period = c.outRate() / 1_000;
    int length = (y.length - 2 * SETTLE) / period * period;
    double[] fit = Signals.fitTone(y, 1_000, c.outRate(), SETTLE, length);
    double gainDb = 20 * Math.log10(fit[0] / amplitude);
    System.out.printf("%s 1 kHz: gain %.4f dB, SNR %.1f dB%n", c, gainDb, fit[1]);
    assertTrue(Math.abs(gainDb) < 0.5, "gain " + gainDb + " dB");
    assertTrue(fit[1] > 40, "SNR " + fit[1] + " dB");
  }

  @Test
  void toneAboveNewNyquistIsRejectedNotAliased() {
    double amplitude = 20_000;
    for (double freq : new double[] {9_000, 10_000, 11_000, 11_900}) {
      short[] x = Signals.sine(freq, 24_000, amplitude, 24_000);
      short[] y = Signals.toShorts(Pcm16Resampler.from24kTo16k().process(Signals.toBytes(x)));
      double inRms = Signals.rms(x, 0, x.length);
      double outRms = Signals.rms(y, SETTLE, y.length - SETTLE);
      // Leakage under half an LSB rounds to exact silence; credit it as 0.5 LSB
      // rms so the figure stays finite and honest.
      double attenuationDb = 20 * Math.log10(inRms / Math.max(outRms, 0.5));
      System.out.printf("24k->16k %.0f Hz tone: attenuated %s%.1f dB (out rms %.2f LSB)%n",
          freq, outRms < 0.5 ? ">=" : "", attenuationDb, outRms);
      assertTrue(attenuationDb > 40, freq + " Hz attenuated only " + attenuationDb + " dB");
    }
  }

  @Test
  void imageOfUpsampledToneIsRejected() {
    // A 3 kHz tone at 8 kHz has its image at 5 kHz once the rate is doubled.
    short[] x = Signals.sine(3_000, 8_000, 20_000, 8_000);
    short[] y = Signals.toShorts(Pcm16Resampler.from8kTo16k().process(Signals.toBytes(x)));
    int length = (y.length - 2 * SETTLE) / 16 * 16;
    double[] image = Signals.fitTone(y, 5_000, 16_000, SETTLE, length);
    double[] tone = Signals.fitTone(y, 3_000, 16_000, SETTLE, length);
    double rejectionDb = 20 * Math.log10(tone[0] / image[0]);
    System.out.printf("8k->16k 3 kHz tone: 5 kHz image %.1f dB down%n", rejectionDb);
    assertTrue(rejectionDb > 40, "image only " + rejectionDb + " dB down");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void fullScaleStepsSaturateInsteadOfWrapping(Conversion c) {
    Pcm16Resampler r = c.factory().get();
    short[] x = new short[c.inRate()];
    int halfPeriod = c.inRate() / 200;
    for (int i = 0; i < x.length; i++) {
      x[i] = (i / halfPeriod) % 2 == 0 ? Short.MAX_VALUE : Short.MIN_VALUE;
    }
    double[] unclamped = Signals.naiveResample(x, r.prototype(), r.interpolation(), r.decimation());
    short[] y = Signals.toShorts(r.process(Signals.toBytes(x)));
    double peak = 0;
    for (double v : unclamped) {
      peak = Math.max(peak, Math.abs(v));
    }
    assertTrue(peak > 32_768, "test needs overshoot to be meaningful, peak " + peak);
    for (int i = 0; i < y.length; i++) {
      if (unclamped[i] > 30_000) {
        assertTrue(y[i] > 30_000, "wrapped at " + i + ": " + y[i]);
      } else if (unclamped[i] < -30_000) {
        assertTrue(y[i] < -30_000, "wrapped at " + i + ": " + y[i]);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void silenceStaysExactlySilent(Conversion c) {
    Pcm16Resampler r = c.factory().get();
    for (int i = 0; i < 50; i++) {
      for (byte b : r.process(new byte[777])) {
        assertEquals(0, b);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void constantInputGivesConstantOutputWithoutPhaseRipple(Conversion c) {
    short[] x = new short[c.inRate()];
    java.util.Arrays.fill(x, (short) -12_345);
    short[] y = Signals.toShorts(c.factory().get().process(Signals.toBytes(x)));
    for (int i = SETTLE; i < y.length; i++) {
      assertEquals(-12_345, y[i], "sample " + i);
    }
  }

  @Test
  void resetForgetsHistory() {
    byte[] a = Signals.toBytes(noise(6, 1_001, 20_000));
    byte[] b = Signals.toBytes(noise(7, 2_000, 20_000));
    Pcm16Resampler r = Pcm16Resampler.from24kTo16k();
    r.process(a);
    r.process(new byte[] {1});
    r.reset();
    assertArrayEquals(Pcm16Resampler.from24kTo16k().process(b), r.process(b));
  }
}
