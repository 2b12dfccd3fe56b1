package dev.rtrelay.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Collects a run's figures and writes them three ways: a Markdown table (also printed), a JSON file for machines, and
 * one latency-by-percentile chart per step. Added latency is always a difference against the direct path measured
 * in the same step, never an absolute claim.
 */
final class Report {
  static final double[] PERCENTILES = {50, 90, 99, 99.9};

  /** Idle-session memory: relay heap (after full GC) and RSS, before and with the sessions open. */
  record Idle(int wanted, int open, long heapBefore, long heapAfter, long rssBefore, long rssAfter) {
    double heapPerSession() {
      return open == 0 ? 0 : (heapAfter - heapBefore) / (double) open;
    }

    double rssPerSession() {
      return open == 0 ? 0 : (rssAfter - rssBefore) / (double) open;
    }
  }

  /** One event-logging variant: the relay path's figures and the relay's and logger's CPU seconds in the phase. */
  record LoggingRun(PhaseResult result, double relayCpuSeconds, double loggerCpuSeconds) {}

  /** One ladder step: each path's figures, and the relay's and nginx's CPU seconds while their own path ran. */
  private record Step(int sessions, List<PhaseResult> results, double relayCpuSeconds, double nginxCpuSeconds) {}

  /** Session set-up times of one path in one situation (sequential, fresh relay, burst under load). */
  private record Setup(String situation, String path, Histogram micros) {}

  private final Path out;
  private final double phaseSeconds;
  private final List<Step> steps = new ArrayList<>();
  private final List<Idle> idle = new ArrayList<>();
  private final List<Setup> setups = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private Map<String, LoggingRun> logging = new LinkedHashMap<>();
  private int loggingSessions;
  private Map<String, LoggingRun> guardrails = new LinkedHashMap<>();
  private int translationSessions;
  private Map<String, LoggingRun> translation = new LinkedHashMap<>();
  private int guardrailSessions;
  private SignInBench.Result signIn;

  Report(Path out, double phaseSeconds) {
    this.out = out;
    this.phaseSeconds = phaseSeconds;
  }

  /** @param nginxCpuSeconds NaN when nginx did not run */
  void step(int sessions, List<PhaseResult> results, double relayCpuSeconds, double nginxCpuSeconds) {
    steps.add(new Step(sessions, results, relayCpuSeconds, nginxCpuSeconds));
  }

  void setup(String situation, String path, Histogram micros) {
    setups.add(new Setup(situation, path, micros));
  }

  /**
   * CPU microseconds per relayed frame: the intermediary's CPU while its path ran, over every frame it carried (each
   * append up and each answer down counts as one).
   */
  static double cpuMicrosPerFrame(double cpuSeconds, PhaseResult r) {
    long frames = r.sent() + r.received();
    return frames == 0 || Double.isNaN(cpuSeconds) ? Double.NaN : cpuSeconds * 1e6 / frames;
  }

  void idle(Idle measurement) {
    idle.add(measurement);
  }

  void logging(int sessions, Map<String, LoggingRun> runs) {
    loggingSessions = sessions;
    logging = runs;
  }

  void guardrails(int sessions, Map<String, LoggingRun> runs) {
    guardrailSessions = sessions;
    guardrails = runs;
  }

  void translation(int sessions, Map<String, LoggingRun> runs) {
    translationSessions = sessions;
    translation = runs;
  }

  void signIn(SignInBench.Result result) {
    signIn = result;
  }

  void note(String note) {
    notes.add(note);
  }

  /** One line per step for the console while the run goes on. */
  String stepLine(int sessions) {
    Step step = steps.stream().filter(s -> s.sessions == sessions).findFirst().orElseThrow();
    StringBuilder line = new StringBuilder("N=" + sessions + ":");
    for (PhaseResult r : step.results) {
      line.append(String.format("  %s p50 %s p99 %s lost %d", r.path(), ms(r.roundTrip(), 50), ms(r.roundTrip(), 99),
          r.lost()));
    }
    return line.toString();
  }

  static String ms(Histogram h, double percentile) {
    return String.format("%.3f", h.getValueAtPercentile(percentile) / 1000.0);
  }

  static double msValue(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  private static PhaseResult find(Step step, String path) {
    return step.results.stream().filter(r -> r.path().equals(path)).findFirst().orElse(null);
  }

  private JsonObject cpuJson(Map<String, LoggingRun> runs) {
    JsonObject json = new JsonObject();
    runs.forEach((k, v) -> json.put(k, phaseJson(v.result()).put("relay_cpu_seconds", v.relayCpuSeconds())));
    return json;
  }

  /** One table of variants under the same load, each variant's relay CPU as a ratio to the baseline's. */
  private static void cpuComparison(StringBuilder md, String title, int sessions, String baseline,
      Map<String, LoggingRun> runs) {
    if (runs.isEmpty()) {
      return;
    }
    md.append(String.format("%n| %s (%d sessions) | p50 ms | p99 ms | lost | relay CPU s | relay CPU vs %s |"
        + "%n|---|---|---|---|---|---|%n", title, sessions, baseline));
    double base = runs.containsKey(baseline) ? runs.get(baseline).relayCpuSeconds() : Double.NaN;
    for (Map.Entry<String, LoggingRun> e : runs.entrySet()) {
      PhaseResult r = e.getValue().result();
      md.append(String.format("| %s | %s | %s | %d | %.2f | %+.0f%% |%n", e.getKey(), ms(r.roundTrip(), 50),
          ms(r.roundTrip(), 99), r.lost(), e.getValue().relayCpuSeconds(),
          100 * (e.getValue().relayCpuSeconds() / base - 1)));
    }
  }

  void write(JsonObject machine) throws Exception {
    Files.writeString(out.resolve("report.md"), markdown(machine));
    Files.writeString(out.resolve("results.json"), json(machine).encodePrettily());
    for (Step step : steps) {
      chart(step);
    }
  }

  private String markdown(JsonObject machine) {
    StringBuilder md = new StringBuilder();
    md.append("## Relay benchmark\n\n")
        .append(String.format("%s, %d cores, %s. Each path runs N sessions sending one 20 ms PCM16 frame (1280 base64 "
                + "chars) every 20 ms for %.0f s; round trip = send to answer from the probe upstream. "
                + "Added = path minus direct, same step.%n%n", machine.getString("date"), machine.getInteger("cores"),
            machine.getString("java"), phaseSeconds));
    md.append("| N | path | p50 ms | p90 ms | p99 ms | p99.9 ms | frames | not sent (backpressure) | lost | reordered |"
        + " setup p50 ms | setup p99 ms |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Step step : steps) {
      for (PhaseResult r : step.results) {
        md.append(String.format("| %d | %s | %s | %s | %s | %s | %d | %d | %d | %d | %s | %s |%n", step.sessions,
            r.path(), ms(r.roundTrip(), 50), ms(r.roundTrip(), 90), ms(r.roundTrip(), 99), ms(r.roundTrip(), 99.9),
            r.received(), r.notSent(), r.lost(), r.reordered(), ms(r.setup(), 50), ms(r.setup(), 99)));
      }
    }
    md.append("\n| N | relay added p50 ms | relay added p99 ms | nginx added p50 ms | nginx added p99 ms |"
        + " relay/nginx added p99 | relay CPU s per session-minute |\n|---|---|---|---|---|---|---|\n");
    for (Step step : steps) {
      PhaseResult direct = find(step, "direct");
      PhaseResult relay = find(step, "relay");
      PhaseResult nginx = find(step, "nginx");
      if (direct == null || relay == null) {
        continue;
      }
      double relay50 = msValue(relay.roundTrip(), 50) - msValue(direct.roundTrip(), 50);
      double relay99 = msValue(relay.roundTrip(), 99) - msValue(direct.roundTrip(), 99);
      String nginx50 = nginx == null ? "n/a" : String.format("%.3f", msValue(nginx.roundTrip(), 50)
          - msValue(direct.roundTrip(), 50));
      double nginx99v = nginx == null ? Double.NaN : msValue(nginx.roundTrip(), 99) - msValue(direct.roundTrip(), 99);
      String nginx99 = nginx == null ? "n/a" : String.format("%.3f", nginx99v);
      String ratio = nginx == null || nginx99v <= 0 ? "n/a" : String.format("%.2f", relay99 / nginx99v);
      md.append(String.format("| %d | %.3f | %.3f | %s | %s | %s | %.4f |%n", step.sessions, relay50, relay99, nginx50,
          nginx99, ratio, cpuPerSessionMinute(step.relayCpuSeconds, step.sessions, relay.seconds())));
    }
    md.append("\n| N | relay CPU µs per frame | nginx CPU µs per frame | relay/nginx CPU per frame |\n|---|---|---|---|\n");
    for (Step step : steps) {
      PhaseResult relay = find(step, "relay");
      PhaseResult nginx = find(step, "nginx");
      if (relay == null) {
        continue;
      }
      double relayCpu = cpuMicrosPerFrame(step.relayCpuSeconds, relay);
      double nginxCpu = nginx == null ? Double.NaN : cpuMicrosPerFrame(step.nginxCpuSeconds, nginx);
      md.append(String.format("| %d | %.1f | %s | %s |%n", step.sessions, relayCpu, Double.isNaN(nginxCpu) ? "n/a"
          : String.format("%.1f", nginxCpu), Double.isNaN(nginxCpu) ? "n/a" : String.format("%.2f",
          relayCpu / nginxCpu)));
    }
    if (!setups.isEmpty()) {
      md.append("\n| set-up (connect to first event) | path | sessions | p50 ms | p99 ms | p50 vs direct |\n"
          + "|---|---|---|---|---|---|\n");
      for (Setup s : setups) {
        Setup direct = setups.stream().filter(d -> d.situation.equals(s.situation) && d.path.equals("direct"))
            .findFirst().orElse(null);
        String vsDirect = direct == null ? "n/a" : String.format("%+.3f ms (%.2f×)", msValue(s.micros, 50)
            - msValue(direct.micros, 50), msValue(s.micros, 50) / msValue(direct.micros, 50));
        md.append(String.format("| %s | %s | %d | %s | %s | %s |%n", s.situation, s.path, s.micros.getTotalCount(),
            ms(s.micros, 50), ms(s.micros, 99), vsDirect));
      }
    }
    if (!idle.isEmpty()) {
      md.append("\n| idle sessions wanted | open | relay heap per session KiB | relay RSS per session KiB |\n"
          + "|---|---|---|---|\n");
      for (Idle i : idle) {
        md.append(String.format("| %d | %d | %.1f | %.1f |%n", i.wanted(), i.open(), i.heapPerSession() / 1024,
            i.rssPerSession() / 1024));
      }
    }
    if (!logging.isEmpty()) {
      md.append(String.format("%n| event logging (%d sessions, logger in its own process) | p50 ms | p99 ms | lost |"
          + " relay CPU s | relay CPU vs off | logger CPU s |%n|---|---|---|---|---|---|---|%n", loggingSessions));
      double off = logging.containsKey("off") ? logging.get("off").relayCpuSeconds() : Double.NaN;
      for (Map.Entry<String, LoggingRun> e : logging.entrySet()) {
        PhaseResult r = e.getValue().result();
        md.append(String.format("| %s | %s | %s | %d | %.2f | %+.0f%% | %.2f |%n", e.getKey(), ms(r.roundTrip(), 50),
            ms(r.roundTrip(), 99), r.lost(), e.getValue().relayCpuSeconds(),
            100 * (e.getValue().relayCpuSeconds() / off - 1), e.getValue().loggerCpuSeconds()));
      }
    }
    cpuComparison(md, "guardrails", guardrailSessions, "none", guardrails);
    cpuComparison(md, "provider protocol", translationSessions, "relayed (openai/)", translation);
    if (signIn != null) {
      md.append(String.format("%n| WebRTC sign-in (%d sequential pairs) | direct p50 ms | relay p50 ms | added p50 ms"
          + " | direct p99 ms | relay p99 ms | added p99 ms |%n|---|---|---|---|---|---|---|%n", signIn.pairs()));
      for (String request : new String[] {"client_secrets", "calls"}) {
        Histogram direct = signIn.histograms().get("direct " + request);
        Histogram relayed = signIn.histograms().get("relay " + request);
        md.append(String.format("| %s | %s | %s | %.3f | %s | %s | %.3f |%n", request, ms(direct, 50), ms(relayed, 50),
            msValue(relayed, 50) - msValue(direct, 50), ms(direct, 99), ms(relayed, 99),
            msValue(relayed, 99) - msValue(direct, 99)));
      }
    }
    for (String note : notes) {
      md.append("\nNote: ").append(note).append('\n');
    }
    return md.toString();
  }

  static double cpuPerSessionMinute(double cpuSeconds, int sessions, double seconds) {
    return cpuSeconds / (sessions * seconds / 60.0);
  }

  private JsonObject json(JsonObject machine) {
    JsonArray stepsJson = new JsonArray();
    for (Step step : steps) {
      JsonArray paths = new JsonArray();
      step.results.forEach(r -> paths.add(phaseJson(r)));
      JsonObject stepJson = new JsonObject().put("sessions", step.sessions)
          .put("relay_cpu_seconds", step.relayCpuSeconds).put("paths", paths);
      if (!Double.isNaN(step.nginxCpuSeconds)) {
        stepJson.put("nginx_cpu_seconds", step.nginxCpuSeconds);
      }
      PhaseResult relay = find(step, "relay");
      PhaseResult nginx = find(step, "nginx");
      if (relay != null) {
        stepJson.put("relay_cpu_us_per_frame", cpuMicrosPerFrame(step.relayCpuSeconds, relay));
      }
      if (nginx != null && !Double.isNaN(step.nginxCpuSeconds)) {
        stepJson.put("nginx_cpu_us_per_frame", cpuMicrosPerFrame(step.nginxCpuSeconds, nginx));
      }
      stepsJson.add(stepJson);
    }
    JsonArray idleJson = new JsonArray();
    idle.forEach(i -> idleJson.add(new JsonObject().put("wanted", i.wanted()).put("open", i.open())
        .put("heap_before", i.heapBefore()).put("heap_after", i.heapAfter()).put("rss_before", i.rssBefore())
        .put("rss_after", i.rssAfter()).put("heap_per_session", i.heapPerSession())
        .put("rss_per_session", i.rssPerSession())));
    JsonObject loggingJson = new JsonObject();
    logging.forEach((k, v) -> loggingJson.put(k, phaseJson(v.result()).put("relay_cpu_seconds", v.relayCpuSeconds())
        .put("logger_cpu_seconds", v.loggerCpuSeconds())));
    JsonObject guardrailsJson = cpuJson(guardrails);
    JsonObject translationJson = cpuJson(translation);
    JsonArray setupJson = new JsonArray();
    for (Setup s : setups) {
      JsonObject p = new JsonObject().put("situation", s.situation).put("path", s.path)
          .put("sessions", s.micros.getTotalCount());
      for (double pct : PERCENTILES) {
        p.put("p" + pct + "_us", s.micros.getValueAtPercentile(pct));
      }
      setupJson.add(p);
    }
    return new JsonObject().put("machine", machine).put("phase_seconds", phaseSeconds).put("steps", stepsJson)
        .put("setup", setupJson)
        .put("guardrail_sessions", guardrailSessions).put("guardrails", guardrailsJson)
        .put("translation_sessions", translationSessions).put("translation", translationJson)
        .put("idle", idleJson).put("logging_sessions", loggingSessions).put("logging", loggingJson)
        .put("webrtc_sign_in", signInJson())
        .put("notes", new JsonArray(new ArrayList<>(notes)));
  }

  private JsonObject signInJson() {
    JsonObject json = new JsonObject();
    if (signIn != null) {
      json.put("pairs", signIn.pairs());
      signIn.histograms().forEach((name, h) -> {
        JsonObject p = new JsonObject();
        for (double pct : PERCENTILES) {
          p.put("p" + pct, h.getValueAtPercentile(pct));
        }
        json.put(name.replace(' ', '_') + "_us", p);
      });
    }
    return json;
  }

  static JsonObject phaseJson(PhaseResult r) {
    JsonObject rt = new JsonObject();
    JsonObject setup = new JsonObject();
    for (double p : PERCENTILES) {
      rt.put("p" + p, r.roundTrip().getValueAtPercentile(p));
      setup.put("p" + p, r.setup().getValueAtPercentile(p));
    }
    return new JsonObject().put("path", r.path()).put("sessions", r.sessions()).put("seconds", r.seconds())
        .put("sent", r.sent()).put("not_sent", r.notSent()).put("received", r.received()).put("lost", r.lost()).put("reordered", r.reordered())
        .put("failed_sessions", r.failedSessions()).put("round_trip_us", rt).put("setup_us", setup);
  }

  private void chart(Step step) throws Exception {
    XYChart chart = new XYChartBuilder().width(900).height(520)
        .title("Round trip by percentile, " + step.sessions + " sessions")
        .xAxisTitle("percentile (log scale of 1/(1-p): 2 = p50, 10 = p90, 100 = p99, 1000 = p99.9)")
        .yAxisTitle("round trip (ms)").build();
    chart.getStyler().setXAxisLogarithmic(true);
    for (PhaseResult r : step.results) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (double p = 50; p < 99.95; p = 100 - (100 - p) / 1.25) {
        x.add(1 / (1 - p / 100));
        y.add(msValue(r.roundTrip(), p));
      }
      chart.addSeries(r.path(), x, y).setMarker(SeriesMarkers.NONE);
    }
    BitmapEncoder.saveBitmap(chart, out.resolve("latency-" + step.sessions).toString(),
        BitmapEncoder.BitmapFormat.PNG);
  }
}
