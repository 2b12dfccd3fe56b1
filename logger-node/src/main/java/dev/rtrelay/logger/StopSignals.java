package dev.rtrelay.logger;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Blocks until SIGTERM or SIGINT, so that a node shuts down on its main thread and then exits with its own status.
 * Both node jars use it instead of a shutdown hook: after a hook the JVM exits 128 + the signal (143 for SIGTERM)
 * whatever the hook did, and other libraries' hooks (Hazelcast's) would run at the same time as the drain.
 *
 * <p>A second signal while the node is stopping ends the process at once (status 128 + signal), for an operator who
 * does not want to wait for the drain. A signal the node was started with ignored (a background job of a script)
 * stays ignored, as the JVM itself would leave it.
 */
public final class StopSignals {
  private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

  private final CountDownLatch received = new CountDownLatch(1);
  private final AtomicReference<Signal> first = new AtomicReference<>();

  private StopSignals() {}

  /**
   * Takes over SIGTERM and SIGINT. Call it before the node starts: a signal that comes while it is starting is kept
   * and acted on once it has started, instead of killing the JVM half-way.
   */
  public static StopSignals install() {
    StopSignals signals = new StopSignals();
    SignalHandler handler = signals::onSignal;
    for (String name : new String[] {"TERM", "INT"}) {
      Signal signal = new Signal(name);
      if (Signal.handle(signal, handler) == SignalHandler.SIG_IGN) {
        Signal.handle(signal, SignalHandler.SIG_IGN);
      }
    }
    return signals;
  }

  private void onSignal(Signal signal) {
    if (first.compareAndSet(null, signal)) {
      received.countDown();
    } else {
      LOG.warn("second SIG{} while stopping: exiting now, without waiting for the drain", signal.getName());
      LogShutdown.flush();
      Runtime.getRuntime().halt(128 + signal.getNumber());
    }
  }

  /** Blocks until the first signal. @return its name, e.g. {@code "TERM"} */
  public String await() {
    boolean interrupted = false;
    while (true) {
      try {
        received.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return first.get().getName();
  }

  /** A node's shutdown, step by step on the calling thread; a step that fails or times out throws. */
  @FunctionalInterface
  public interface Steps {
    void run() throws Exception;
  }

  /**
   * Runs the node's shutdown steps, then flushes the log (so the last lines are not lost when the JVM exits).
   *
   * @return the exit status: 0 when every step completed, 1 when one failed or timed out
   */
  public static int shutDown(Steps steps) {
    int code = 0;
    try {
      steps.run();
      LOG.info("stopped");
    } catch (Exception e) {
      LOG.warn("shutdown did not complete cleanly: {}", e.toString());
      code = 1;
    }
    LogShutdown.flush();
    return code;
  }
}
