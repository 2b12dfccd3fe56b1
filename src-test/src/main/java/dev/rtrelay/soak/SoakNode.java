package dev.rtrelay.soak;

import dev.rtrelay.bench.ChildProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One node of the soak's cluster (a relay or a logger): its packaged jar in a JVM of its own, started again with the
 * same command (same ports) after a kill or a stop, with its resident memory sampled over time, process by process.
 */
final class SoakNode implements AutoCloseable {
  /** One reading: seconds since the run started, RSS and heap-after-GC (-1: not read) in bytes, open files. */
  record Sample(double seconds, long pid, long rss, long heap, long openFiles) {}

  private final String name;
  private final List<String> command;
  private final Path log;
  private final Pattern ready;
  private final int managementPort;
  private final List<Sample> samples = new ArrayList<>();
  private ChildProcess process;
  private int starts;
  private boolean frozen;
  private long baselineOpenFiles = -1;

  /** @param managementPort where a relay serves /metrics (0 for a logger) */
  SoakNode(String name, List<String> command, Path log, Pattern ready, int managementPort) {
    this.name = name;
    this.managementPort = managementPort;
    this.command = List.copyOf(command);
    this.log = log;
    this.ready = ready;
  }

  String name() {
    return name;
  }

  int managementPort() {
    return managementPort;
  }

  /** Starts the process (again) and waits for its ready line; reads its open files as the baseline. */
  synchronized void start() throws Exception {
    starts++;
    Path logFile = starts == 1 ? log : log.resolveSibling(log.getFileName() + "." + starts);
    process = ChildProcess.start(name, command, logFile, ready);
    process.awaitReady(180);
    baselineOpenFiles = process.openFiles();
  }

  synchronized void kill() throws InterruptedException {
    process.kill();
  }

  /** SIGTERM; the exit code (0 after a clean drain), or -1 when it did not exit within the limit. */
  synchronized int terminate(long seconds) throws InterruptedException {
    return process.terminate(seconds);
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  synchronized long openFiles() throws Exception {
    return process.openFiles();
  }

  long baselineOpenFiles() {
    return baselineOpenFiles;
  }

  /** Reads RSS and open files, and the heap after a full GC when {@code withHeap} (a GC pause: not too often). */
  /** SIGSTOP: the process keeps its sockets open and answers nothing (a long pause, a stopped VM). */
  synchronized void freeze() throws Exception {
    process.signal("STOP");
    frozen = true;
  }

  synchronized void resume() throws Exception {
    process.signal("CONT");
    frozen = false;
  }

  synchronized void sample(double seconds, boolean withHeap) {
    if (!alive() || frozen) {
      // A frozen JVM would never answer jcmd.
      return;
    }
    try {
      long heap = withHeap ? process.heapUsedAfterGc() : -1;
      samples.add(new Sample(seconds, process.pid(), process.rssBytes(), heap, process.openFiles()));
    } catch (Exception gone) {
      // exited between the check and the reading
    }
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  synchronized String tail() throws Exception {
    return process == null ? "" : process.tail();
  }

  @Override
  public synchronized void close() throws Exception {
    if (frozen) {
      resume();
    }
    if (process != null) {
      process.close();
    }
  }
}
