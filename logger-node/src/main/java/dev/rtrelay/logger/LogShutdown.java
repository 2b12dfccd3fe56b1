package dev.rtrelay.logger;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Flushes the asynchronous console appender at the end of a node's shutdown hook, so the last lines (the shutdown
 * itself) are not lost when the JVM exits. Both node jars call it.
 */
public final class LogShutdown {
  private LogShutdown() {}

  public static void flush() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext context) {
      context.stop();
    }
  }
}
