package dev.rtrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stop-the-world GC pauses read from a JVM's {@code -Xlog:gc} file, e.g.
 * {@code [12.345s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 40M->9M(256M) 3.456ms}.
 *
 * @param count pauses logged
 * @param maxMillis the longest
 * @param totalMillis all of them together
 */
record GcPauses(int count, double maxMillis, double totalMillis) {
  private static final Pattern PAUSE = Pattern.compile("\\bPause\\b.*?(\\d+(?:\\.\\d+)?)ms\\s*$");

  static GcPauses read(Path log) throws IOException {
    if (!Files.exists(log)) {
      return new GcPauses(0, 0, 0);
    }
    return parse(Files.readString(log));
  }

  static GcPauses parse(String log) {
    int count = 0;
    double max = 0;
    double total = 0;
    for (String line : log.split("\n")) {
      Matcher m = PAUSE.matcher(line);
      if (m.find()) {
        double ms = Double.parseDouble(m.group(1));
        count++;
        total += ms;
        max = Math.max(max, ms);
      }
    }
    return new GcPauses(count, max, total);
  }
}
