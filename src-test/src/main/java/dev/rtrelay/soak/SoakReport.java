package dev.rtrelay.soak;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The soak's results as Markdown (report.md), JSON (results.json) and a chart of memory over time (memory.png). */
final class SoakReport {
  private final double minutes;
  private final int slots;
  private final List<Fault> faults;
  private final SoakVerdict verdict;
  private final List<SoakNode> nodes;
  private final long records;
  private final long started;

  SoakReport(double minutes, int slots, List<Fault> faults, SoakVerdict verdict, List<SoakNode> nodes, long records,
      long started) {
    this.minutes = minutes;
    this.slots = slots;
    this.faults = faults;
    this.verdict = verdict;
    this.nodes = nodes;
    this.records = records;
    this.started = started;
  }

  void write(Path dir) throws Exception {
    Files.writeString(dir.resolve("report.md"), markdown());
    Files.writeString(dir.resolve("results.json"), json().encodePrettily());
    chart(dir.resolve("memory.png"));
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Soak run, ").append(Instant.ofEpochMilli(started)).append("\n\n");
    md.append(String.format(Locale.ROOT, "%d voice sessions held for %.1f min (a 20 ms frame each way every 20 ms, "
        + "every event logged) through 2 relays, 2 loggers and a KRaft broker, all on one machine. Verdict: **%s**.%n%n",
        slots, minutes, verdict.passed() ? "nothing lost" : "LOSSES"));
    md.append("| fault | at | sessions it ended | sessions untouched | frames lost by untouched sessions "
        + "| records in its documented window |\n|---|---|---|---|---|---|\n");
    for (SoakVerdict.PerFault pf : verdict.faults.values()) {
      md.append(String.format(Locale.ROOT, "| %s | %.0f s | %d | %d | %d | %d |%n", pf.fault.name(),
          (pf.fault.startedMillis() - started) / 1000.0, pf.sessionsEnded, pf.sessionsUntouched,
          pf.framesLostUntouched, pf.recordsInWindow));
    }
    md.append("\n| totals | |\n|---|---|\n");
    row(md, "sessions (including reconnections)", verdict.sessions);
    row(md, "sessions ended by the faults above (allowed)", verdict.sessionsEndedByFaults);
    row(md, "audio frames sent", verdict.framesSent);
    row(md, "audio frames lost or reordered on sessions no fault ended (must be 0)",
        verdict.framesLostUntouched + verdict.framesReorderedUntouched);
    row(md, "audio frames lost in sessions a fault ended", verdict.framesLostInFaults);
    row(md, "records read from Kafka", records);
    row(md, "records missing outside any documented window (must be 0)", verdict.recordsLost);
    row(md, "records missing in a documented window (a logger or relay killed outright)", verdict.recordsInWindows);
    row(md, "duplicate records (allowed: at-least-once)", verdict.duplicates);
    row(md, "dropped_events in session.closed records", verdict.droppedEvents);
    row(md, "truncated_events in session.closed records", verdict.truncatedEvents);
    row(md, "rtrelay_sessions_live after the run (must be 0)", verdict.liveSessionsAfter);
    md.append("\n| node | open files at its start | after the run | RSS at the end | heap after GC | RSS slope "
        + "| heap slope | over |\n|---|---|---|---|---|---|---|---|\n");
    for (SoakVerdict.Memory m : verdict.memory) {
      long[] files = verdict.openFiles.getOrDefault(m.node(), new long[] {-1, -1});
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f MiB | %s | %s | %s | %.1f min |%n", m.node(),
          files[0], files[1], m.rssEnd() / 1048576.0, m.heapEnd() < 0 ? "-" : String.format(Locale.ROOT, "%.1f MiB",
              m.heapEnd() / 1048576.0), slope(m.rssSlopeKibPerMin()), slope(m.heapSlopeKibPerMin()), m.minutes()));
    }
    md.append("\nSlopes are least-squares fits over each node's last process, after its first minute. "
        + "Records in a documented window are those a process killed outright held in memory "
        + "(docs/session-events.md, \"The window this leaves\").\n");
    if (!verdict.problems.isEmpty()) {
      md.append("\n## Problems\n\n");
      verdict.problems.stream().limit(50).forEach(p -> md.append("- ").append(p).append('\n'));
      if (verdict.problems.size() > 50) {
        md.append("- … and ").append(verdict.problems.size() - 50).append(" more\n");
      }
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String what, long value) {
    md.append("| ").append(what).append(" | ").append(value).append(" |\n");
  }

  private static String slope(double kibPerMinute) {
    return Double.isNaN(kibPerMinute) ? "-" : String.format(Locale.ROOT, "%+.1f KiB/min", kibPerMinute);
  }

  JsonObject json() {
    JsonArray perFault = new JsonArray();
    for (SoakVerdict.PerFault pf : verdict.faults.values()) {
      perFault.add(new JsonObject().put("fault", pf.fault.name())
          .put("at_seconds", (pf.fault.startedMillis() - started) / 1000.0)
          .put("took_seconds", (pf.fault.endedMillis() - pf.fault.startedMillis()) / 1000.0)
          .put("sessions_ended", pf.sessionsEnded).put("sessions_untouched", pf.sessionsUntouched)
          .put("frames_lost_untouched", pf.framesLostUntouched).put("records_in_window", pf.recordsInWindow));
    }
    JsonArray memory = new JsonArray();
    for (SoakVerdict.Memory m : verdict.memory) {
      long[] files = verdict.openFiles.getOrDefault(m.node(), new long[] {-1, -1});
      memory.add(new JsonObject().put("node", m.node()).put("minutes", m.minutes())
          .put("rss_slope_kib_per_min", finite(m.rssSlopeKibPerMin()))
          .put("heap_slope_kib_per_min", finite(m.heapSlopeKibPerMin())).put("rss_end_bytes", m.rssEnd())
          .put("heap_end_bytes", m.heapEnd()).put("open_files_at_start", files[0]).put("open_files_after", files[1]));
    }
    JsonArray samples = new JsonArray();
    for (SoakNode n : nodes) {
      for (SoakNode.Sample s : n.samples()) {
        samples.add(new JsonArray().add(n.name()).add(s.seconds()).add(s.pid()).add(s.rss()).add(s.heap())
            .add(s.openFiles()));
      }
    }
    return new JsonObject().put("started", Instant.ofEpochMilli(started).toString()).put("minutes", minutes)
        .put("sessions_held", slots).put("passed", verdict.passed()).put("faults", perFault)
        .put("sessions", verdict.sessions).put("sessions_ended_by_faults", verdict.sessionsEndedByFaults)
        .put("frames_sent", verdict.framesSent)
        .put("frames_lost_untouched", verdict.framesLostUntouched)
        .put("frames_reordered_untouched", verdict.framesReorderedUntouched)
        .put("frames_lost_in_faults", verdict.framesLostInFaults).put("records_read", records)
        .put("records_lost", verdict.recordsLost).put("records_in_windows", verdict.recordsInWindows)
        .put("duplicates", verdict.duplicates).put("dropped_events", verdict.droppedEvents)
        .put("truncated_events", verdict.truncatedEvents).put("live_sessions_after", verdict.liveSessionsAfter)
        .put("memory", memory).put("problems", new JsonArray(verdict.problems))
        .put("samples_columns", new JsonArray(List.of("node", "seconds", "pid", "rss", "heap_after_gc", "open_files")))
        .put("samples", samples);
  }

  private static Double finite(double value) {
    return Double.isNaN(value) ? null : value;
  }

  private void chart(Path file) throws Exception {
    XYChart chart = new XYChartBuilder().width(1000).height(520)
        .title("Resident memory of each node (MiB); heap after GC of the relays (dots)")
        .xAxisTitle("seconds into the run").yAxisTitle("MiB").build();
    for (SoakNode n : nodes) {
      List<SoakNode.Sample> samples = n.samples();
      if (samples.isEmpty()) {
        continue;
      }
      chart.addSeries(n.name() + " RSS", samples.stream().mapToDouble(SoakNode.Sample::seconds).toArray(),
          samples.stream().mapToDouble(s -> s.rss() / 1048576.0).toArray()).setMarker(SeriesMarkers.NONE);
      List<SoakNode.Sample> heaps = samples.stream().filter(s -> s.heap() > 0).toList();
      if (!heaps.isEmpty()) {
        chart.addSeries(n.name() + " heap", heaps.stream().mapToDouble(SoakNode.Sample::seconds).toArray(),
            heaps.stream().mapToDouble(s -> s.heap() / 1048576.0).toArray()).setMarker(SeriesMarkers.CIRCLE);
      }
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
