package dev.rtrelay.logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Deploys the logger verticle on a Vert.x instance: its own clustered instance (logger-node.jar) or the relay's
 * instance (the relay's embedded mode).
 */
public final class LoggerNode {
  private final Vertx vertx;
  private final String deploymentId;

  private LoggerNode(Vertx vertx, String deploymentId) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
  }

  /** One instance: a single writer keeps a session's records in the order they arrived. */
  public static Future<LoggerNode> start(Vertx vertx, LoggerSettings settings) {
    return start(vertx, settings, null);
  }

  /** @param registry where the logger's meters go; null keeps them unexported */
  public static Future<LoggerNode> start(Vertx vertx, LoggerSettings settings, MeterRegistry registry) {
    LoggerMeters meters = registry == null ? LoggerMeters.detached(settings) : new LoggerMeters(registry, settings);
    return vertx.deployVerticle(new LoggerVerticle(settings, meters)).map(id -> new LoggerNode(vertx, id));
  }

  public Future<Void> close() {
    return vertx.undeploy(deploymentId);
  }
}
