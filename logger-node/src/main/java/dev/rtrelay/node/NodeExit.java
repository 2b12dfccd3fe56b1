package dev.rtrelay.node;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * How a node process ends: the log is flushed first. Console logging goes through an asynchronous appender (event
 * loops never wait on a slow console), whose worker is a daemon thread: without this, a start-up error logged just
 * before the exit (a configuration error, exit 2) can be lost, and the user sees a silent exit.
 */
public final class NodeExit {
  private NodeExit() {}

  public static void exit(int code) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext logback) {
      // Stopping the context stops its appenders; the asynchronous one drains its queue into the console first.
      logback.stop();
    }
    System.out.flush();
    System.err.flush();
    System.exit(code);
  }
}
