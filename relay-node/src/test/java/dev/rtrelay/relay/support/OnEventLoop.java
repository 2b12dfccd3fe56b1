package dev.rtrelay.relay.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Runs an HTTP client call chain on one Vert.x event loop instead of the test's own thread.
 *
 * <p>Why: with Vert.x 5.0.7, {@code resp.body()} never completes when it is called after the response has already
 * ended (eclipse-vertx/vert.x#6038, fixed in later 5.0 releases). Built on a test thread, a chain such as
 * {@code request().compose(req -> req.send()).compose(resp -> resp.body())} races the event loop: on loopback the
 * whole response can arrive before the test thread attaches the last step, which then runs on the test thread too
 * late, and the call hangs (seen about once in 300 calls). Built on an event loop, every step runs on that loop in
 * order, so {@code body()} is always called when the head arrives, before the end is handled. The relay's own
 * clients are only used from event loops and are not affected.
 */
public final class OnEventLoop {
  private OnEventLoop() {}

  public static <T> Future<T> call(Vertx vertx, Supplier<Future<T>> chain) {
    Promise<T> result = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      try {
        chain.get().onComplete(result);
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    return result.future();
  }
}
