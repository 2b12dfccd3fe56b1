package dev.rtrelay.relay.translate.audio;

/**
* Windowed-sinc low-pass design, split into polyphase branches.
*
* <p>Kaiser rather than Blackman because beta trades stopband depth against
* transition width directly, which is what decides how much of the 8-12 kHz
* band leaks back into speech after decimation.
*/
final class KaiserLowPass {

  private KaiserLowPass() {
  }

  /**
  * Designs a prototype of {@code interpolation * tapsPerPhase} taps running at
  * {@code inputRate * interpolation} and returns it as polyphase branches:
  * {@code branch[p][t] = h[p + interpolation * t]}.
  */
  static double[][] polyphase(int interpolation, int tapsPerPhase, double inputRate,
                double cutoffHz, double beta) {
    int length = interpolation * tapsPerPhase;
    double[] h = design(length, cutoffHz / (inputRate * interpolation), beta);
    double[][] branches = new double[interpolation][tapsPerPhase];
    for (int p = 0; p < interpolation; p++) {
      double sum = 0;
      for (int t = 0; t < tapsPerPhase; t++) {
        branches[p][t] = h[p + interpolation * t];
        sum += branches[p][t];
      }
      // Each output sample is computed by exactly one branch. Normalising every
      // branch to unity DC gain (instead of the whole prototype to gain L) means
      // a constant input yields a constant output; otherwise the small per-branch
      // gain mismatch shows up as a tone at the output rate / phase pattern.
      for (int t = 0; t < tapsPerPhase; t++) {
        branches[p][t] /= sum;
      }
    }
    return branches;
  }

  /** {@code normalizedCutoff} is cutoff / sample rate, i.e. in (0, 0.5). */
  static double[] design(int length, double normalizedCutoff, double beta) {
    double[] h = new double[length];
    double centre = (length - 1) / 2.0;
    double i0Beta = besselI0(beta);
    for (int k = 0; k < length; k++) {
      double x = k - centre;
      double sinc = x == 0
          ? 2 * normalizedCutoff
          : Math.sin(2 * Math.PI * normalizedCutoff * x) / (Math.PI * x);
      double r = x / centre;
      double window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
      h[k] = sinc * window;
    }
    return h;
  }

  /** Power series; converges quickly for the beta range (< 15) used here. */
  static double besselI0(double x) {
    double sum = 1;
    double term = 1;
    double halfX = x / 2;
    for (int k = 1; k < 64; k++) {
      term *= (halfX / k) * (halfX / k);
      sum += term;
      if (term < sum * 1e-17) {
        break;
      }
    }
    return sum;
  }
}
