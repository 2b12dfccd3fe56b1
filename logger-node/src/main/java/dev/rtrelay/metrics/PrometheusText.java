package dev.rtrelay.metrics;

/** Builds the Prometheus text exposition format for the few counters and gauges the nodes expose. */
public final class PrometheusText {
  private final StringBuilder out = new StringBuilder(1024);

  public PrometheusText counter(String name, String help, long value) {
    return header(name, help, "counter").sample(name, "", value);
  }

  public PrometheusText gauge(String name, String help, long value) {
    return header(name, help, "gauge").sample(name, "", value);
  }

  /** A metric with one label; call {@link #sample} for each label value afterwards. */
  public PrometheusText header(String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  /** @param labels already formatted, e.g. {@code {reason="buffer_full"}}, or empty */
  public PrometheusText sample(String name, String labels, long value) {
    out.append(name).append(labels).append(' ').append(value).append('\n');
    return this;
  }

  /** A sample whose value is already formatted, e.g. an exact decimal. */
  public PrometheusText sample(String name, String labels, String value) {
    out.append(name).append(labels).append(' ').append(value).append('\n');
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
