package dev.rtrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Session set-up as a caller feels it: from connecting to the first server event (the provider's
 * {@code session.created}), in microseconds. Sequentially (one session at a time, nothing else running: the path's own
 * latency) or as a burst of sessions started together (e.g. while other sessions stream through the same path).
 */
final class SetupBench {
  private final Vertx vertx;
  private final io.vertx.core.net.TrustOptions trust;

  SetupBench(Vertx vertx) {
    this(vertx, null);
  }

  /** @param trust what TLS targets' certificates are checked against, or null */
  SetupBench(Vertx vertx, io.vertx.core.net.TrustOptions trust) {
    this.vertx = vertx;
    this.trust = trust;
  }

  private WebSocketClientOptions clientOptions() {
    WebSocketClientOptions options = new WebSocketClientOptions();
    if (trust != null) {
      options.setTrustOptions(trust).setVerifyHost(true);
    }
    return options;
  }

  /** {@code count} sessions, each opened after the previous one got its first event and was closed. */
  Future<Histogram> sequential(Target target, int count) {
    Promise<Histogram> result = Promise.promise();
    vertx.runOnContext(v -> {
      WebSocketClient client = vertx.createWebSocketClient(clientOptions().setConnectTimeout(30_000)
          .setTcpNoDelay(true));
      Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
      next(client, target, count, histogram, result);
    });
    return result.future();
  }

  private void next(WebSocketClient client, Target target, int left, Histogram histogram, Promise<Histogram> result) {
    if (left == 0) {
      client.close().onComplete(x -> result.complete(histogram));
      return;
    }
    one(client, target).onComplete(ar -> {
      if (ar.failed()) {
        client.close();
        result.fail(ar.cause());
        return;
      }
      histogram.recordValue(ar.result());
      next(client, target, left - 1, histogram, result);
    });
  }

  /** {@code count} sessions started at once. */
  Future<Histogram> burst(Target target, int count) {
    Promise<Histogram> result = Promise.promise();
    vertx.runOnContext(v -> {
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout(60_000)
          .setTcpNoDelay(true).setMaxConnections(100_000));
      Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
      List<Future<Long>> all = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        all.add(one(client, target).onSuccess(histogram::recordValue));
      }
      Future.join(all).onComplete(x -> client.close().onComplete(y -> result.complete(histogram)));
    });
    return result.future();
  }

  /** One session: microseconds from connecting to its first server event; the session is then closed. */
  private Future<Long> one(WebSocketClient client, Target target) {
    Promise<Long> first = Promise.promise();
    ClientWebSocket socket = client.webSocket();
    long started = System.nanoTime();
    socket.textMessageHandler(text -> first.tryComplete(Math.max(0, (System.nanoTime() - started) / 1_000)));
    socket.exceptionHandler(first::tryFail);
    socket.closeHandler(v -> first.tryFail("closed before the first event"));
    socket.connect(target.connectOptions()).onFailure(first::tryFail);
    return first.future().onComplete(ar -> {
      if (!socket.isClosed()) {
        socket.close();
      }
    });
  }
}
