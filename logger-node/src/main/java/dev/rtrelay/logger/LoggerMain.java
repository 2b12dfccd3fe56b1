package dev.rtrelay.logger;

/**
 * Placeholder entry point: the logger node (event bus to Kafka) is built by the event-log issue. It exits non-zero so
 * nobody mistakes it for a working logger in a deployment.
 */
public final class LoggerMain {
  private LoggerMain() {}

  public static void main(String[] args) {
    System.err.println("logger-node is not implemented yet: session events are not exported in this version.");
    System.exit(1);
  }
}
