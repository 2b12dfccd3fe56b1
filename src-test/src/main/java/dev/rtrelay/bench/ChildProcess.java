package dev.rtrelay.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process the harness starts (probe, relay, nginx) with its output kept in a log file, plus the /proc readings the
 * report needs: CPU time and resident memory. Linux only, like the machines this runs on.
 */
public final class ChildProcess implements AutoCloseable {
  private static final long CLOCK_TICKS = 100;

  private final String name;
  private final Process process;
  private final Path log;
  private final BlockingQueue<String> matches = new ArrayBlockingQueue<>(1);
  private final Thread pump;

  private ChildProcess(String name, Process process, Path log, Pattern ready) {
    this.name = name;
    this.process = process;
    this.log = log;
    pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8)); var out = Files.newBufferedWriter(log)) {
        for (String line; (line = in.readLine()) != null; ) {
          out.write(line);
          out.newLine();
          out.flush();
          if (ready != null) {
            Matcher m = ready.matcher(line);
            if (m.find()) {
              matches.offer(m.groupCount() > 0 ? m.group(1) : line);
            }
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, name + "-output");
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts {@code command}; {@link #awaitReady} then waits for a line matching {@code ready}. */
  public static ChildProcess start(String name, List<String> command, Path log, Pattern ready) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    return new ChildProcess(name, p, log, ready);
  }

  /** The first capture group of the ready line (e.g. a port), or fails with the log's tail. */
  public String awaitReady(long seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      String m = matches.poll(200, TimeUnit.MILLISECONDS);
      if (m != null) {
        return m;
      }
      if (!process.isAlive()) {
        // A process that exited (a bad option, a port in use) will never be ready: say so now, not at the deadline
        // (once its last lines are read, in case the ready line was among them).
        pump.join(2_000);
        m = matches.poll();
        if (m != null) {
          return m;
        }
        throw new IllegalStateException(name + " exited with status " + process.exitValue() + " before it was ready; "
            + "log " + log + ":\n" + tail());
      }
    }
    throw new IllegalStateException(name + " did not become ready in " + seconds + " s; log " + log + ":\n" + tail());
  }

  public String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  public long pid() {
    return process.pid();
  }

  /** User + system CPU seconds used so far. */
  double cpuSeconds() throws IOException {
    return cpuSeconds(pid());
  }

  /**
   * CPU seconds of the process and every process under it: nginx's work is done by its worker processes, which
   * live as long as the master, so their own counters are read (a child's time reaches its parent only at exit).
   */
  double treeCpuSeconds() throws IOException {
    double total = cpuSeconds(pid());
    for (ProcessHandle child : process.toHandle().descendants().toList()) {
      try {
        total += cpuSeconds(child.pid());
      } catch (IOException gone) {
        // a short-lived helper that exited meanwhile
      }
    }
    return total;
  }

  private static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) CLOCK_TICKS;
  }

  /** Resident set size in bytes. */
  public long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /** Java heap in use right after a full GC, via jcmd (for JVM children only). */
  public long heapUsedAfterGc() throws Exception {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    run(List.of(jcmd, String.valueOf(pid()), "GC.run"));
    String info = run(List.of(jcmd, String.valueOf(pid()), "GC.heap_info"));
    Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
    if (!m.find()) {
      throw new IllegalStateException("unexpected GC.heap_info output: " + info);
    }
    return Long.parseLong(m.group(1)) * 1024;
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  /** Open file descriptors (sockets included). */
  public long openFiles() throws IOException {
    try (var fds = Files.list(Path.of("/proc", String.valueOf(pid()), "fd"))) {
      return fds.count();
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends a signal by name (STOP freezes the process as a long pause or a stopped VM would, CONT resumes it). */
  public void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + name + " " + pid() + " failed");
    }
  }

  /** SIGKILL, as a crash or the OOM killer would: nothing of the process runs after it. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  /** SIGTERM and waits for the exit; the exit code, or -1 when it did not exit in time. */
  public int terminate(long seconds) throws InterruptedException {
    process.toHandle().destroy();
    return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  @Override
  public void close() throws Exception {
    process.toHandle().destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
