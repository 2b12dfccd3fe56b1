package dev.rtrelay.relay.translate.audio;

/** Test-side signal helpers; deliberately independent of the code under test. */
final class Signals {

  private Signals() {
  }

  static byte[] toBytes(short[] samples) {
    byte[] out = new byte[samples.length * 2];
    for (int i = 0; i < samples.length; i++) {
      out[2 * i] = (byte) samples[i];
      out[2 * i + 1] = (byte) (samples[i] >> 8);
    }
    return out;
  }

  static short[] toShorts(byte[] pcm) {
    if (pcm.length % 2 != 0) {
      throw new AssertionError("odd PCM16 byte count " + pcm.length);
    }
    short[] out = new short[pcm.length / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (short) ((pcm[2 * i] & 0xFF) | (pcm[2 * i + 1] << 8));
    }
    return out;
  }

  static short[] sine(double freq, double rate, double amplitude, int count) {
    short[] out = new short[count];
    for (int i = 0; i < count; i++) {
      out[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * freq * i / rate));
    }
    return out;
  }

  static double rms(short[] x, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) {
      sum += (double) x[i] * x[i];
    }
    return Math.sqrt(sum / (to - from));
  }

  /**
  * Least-squares fit of a sinusoid at exactly {@code freq} over [from, from+length).
  * With an integer number of cycles in the window, sin and cos are orthogonal, so a
  * single-bin DFT is the exact fit. Returns {amplitude, snrDb}, where the "noise" is
  * everything the fitted sinusoid does not explain (aliases, images, distortion,
  * quantisation, DC).
  */
  static double[] fitTone(short[] y, double freq, double rate, int from, int length) {
    double a = 0;
    double b = 0;
    for (int n = 0; n < length; n++) {
      double w = 2 * Math.PI * freq * n / rate;
      a += y[from + n] * Math.cos(w);
      b += y[from + n] * Math.sin(w);
    }
    a *= 2.0 / length;
    b *= 2.0 / length;
    double signal = 0;
    double noise = 0;
    for (int n = 0; n < length; n++) {
      double w = 2 * Math.PI * freq * n / rate;
      double fit = a * Math.cos(w) + b * Math.sin(w);
      double r = y[from + n] - fit;
      signal += fit * fit;
      noise += r * r;
    }
    return new double[] {Math.hypot(a, b), 10 * Math.log10(signal / Math.max(noise, 1e-30))};
  }

  /**
  * Textbook rational resampling: literally zero-stuff by L, convolve with the
  * whole prototype, keep every M-th sample. Returned unrounded so tests can see
  * overshoot beyond 16 bits.
  */
  static double[] naiveResample(short[] x, double[] h, int l, int m) {
    double[] up = new double[x.length * l];
    for (int i = 0; i < x.length; i++) {
      up[i * l] = x[i];
    }
    int outCount = (int) ((up.length + m - 1L) / m);
    double[] y = new double[outCount];
    for (int n = 0; n < outCount; n++) {
      int j = n * m;
      double acc = 0;
      for (int k = 0; k < h.length && k <= j; k++) {
        acc += h[k] * up[j - k];
      }
      y[n] = acc;
    }
    return y;
  }
}
