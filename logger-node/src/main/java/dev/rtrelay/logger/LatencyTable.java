package dev.rtrelay.logger;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code tail --summary}: voice latency per model and deployment, from the {@code latency_ms} of the
 * {@code response.usage} records read, so that someone looking at the topic sees which deployment was slow.
 */
final class LatencyTable {
  private final Map<String, Row> rows = new TreeMap<>();

  private static final class Row {
    final String model;
    final String deployment;
    final List<Double> firstAudio = new ArrayList<>();
    final List<Double> firstText = new ArrayList<>();
    int responses;

    Row(String model, String deployment) {
      this.model = model;
      this.deployment = deployment;
    }
  }

  /** Takes one record (a JSON line); anything but a timed response.usage is ignored, as is a line that is not JSON. */
  void add(String record) {
    JsonObject r;
    try {
      r = new JsonObject(record);
    } catch (RuntimeException notJson) {
      return;
    }
    JsonObject latency = r.getValue("latency_ms") instanceof JsonObject l ? l : null;
    if (!"response.usage".equals(r.getString("kind")) || latency == null) {
      return;
    }
    String model = String.valueOf(r.getValue("model"));
    String deployment = String.valueOf(r.getValue("deployment"));
    Row row = rows.computeIfAbsent(model + "\u0000" + deployment, k -> new Row(model, deployment));
    row.responses++;
    if (latency.getValue("time_to_first_audio") instanceof Number n) {
      row.firstAudio.add(n.doubleValue());
    }
    if (latency.getValue("time_to_first_text") instanceof Number n) {
      row.firstText.add(n.doubleValue());
    }
  }

  /** The table, one line per model and deployment, times in whole milliseconds. */
  String render() {
    if (rows.isEmpty()) {
      return "no timed responses (response.usage records with latency_ms) in what was read\n";
    }
    StringBuilder out = new StringBuilder(String.format("%-24s %-24s %9s  %-26s %-26s%n", "model", "deployment",
        "responses", "first audio p50/p95/max ms", "first text p50/p95/max ms"));
    for (Row row : rows.values()) {
      out.append(String.format("%-24s %-24s %9d  %-26s %-26s%n", row.model, row.deployment, row.responses,
          figures(row.firstAudio), figures(row.firstText)));
    }
    return out.toString();
  }

  private static String figures(List<Double> values) {
    if (values.isEmpty()) {
      return "-";
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return Math.round(percentile(sorted, 50)) + " / " + Math.round(percentile(sorted, 95)) + " / "
        + Math.round(sorted.get(sorted.size() - 1));
  }

  /** Nearest-rank percentile. */
  private static double percentile(List<Double> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
