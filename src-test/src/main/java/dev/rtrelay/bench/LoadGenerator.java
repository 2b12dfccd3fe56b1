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
 * Drives N realtime sessions against a target at real-time pace: every session sends one 20 ms audio frame every
 * 20 ms, and every answer's round trip is recorded. Sessions are spread evenly over the 20 ms period so the load is
 * smooth rather than 50 bursts a second. One Vert.x context drives everything, so no locks are needed and the
 * generator's own cost stays small (check it by running the direct path at the same N).
 */
final class LoadGenerator {
  private static final long PERIOD_NANOS = 20_000_000L;
  private static final int SLOTS = 20;

  private final Vertx vertx;

  LoadGenerator(Vertx vertx) {
    this.vertx = vertx;
  }

  private static final class Session {
    final ClientWebSocket socket;
    final SessionAccounting accounting = new SessionAccounting();
    long seq;
    long notSent;
    long connectStart;
    boolean ready;

    Session(ClientWebSocket socket) {
      this.socket = socket;
    }
  }

  /** Runs one phase; the returned future completes after sending stops and answers have drained (bounded). */
  Future<PhaseResult> run(Target target, int sessions, double seconds) {
    return run(target, sessions, seconds, null);
  }

  /** @param streaming run on the generator's context once every session is connected and sending has begun */
  Future<PhaseResult> run(Target target, int sessions, double seconds, Runnable streaming) {
    Promise<PhaseResult> result = Promise.promise();
    vertx.runOnContext(v -> start(target, sessions, seconds, streaming, result));
    return result.future();
  }

  private void start(Target target, int count, double seconds, Runnable streaming, Promise<PhaseResult> result) {
    Histogram roundTrip = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    Histogram setup = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000)
        .setTcpNoDelay(true).setConnectTimeout(30_000));
    List<Session> all = new ArrayList<>(count);
    List<Future<?>> connected = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Session s = new Session(client.webSocket());
      all.add(s);
      s.socket.textMessageHandler(text -> {
        if (!s.ready) {
          s.ready = true;
          setup.recordValue(Math.max(0, (System.nanoTime() - s.connectStart) / 1_000));
          return;
        }
        long seq = ProbeFrames.seq(text);
        if (seq >= 0) {
          roundTrip.recordValue(Math.max(0, (System.nanoTime() - ProbeFrames.sentNanos(text)) / 1_000));
          s.accounting.received(seq);
        }
      });
      s.socket.exceptionHandler(e -> { });
      s.connectStart = System.nanoTime();
      connected.add(s.socket.connect(target.connectOptions()));
    }
    Future.join(connected).onComplete(ignored -> {
      int failed = (int) connected.stream().filter(Future::failed).count();
      long runNanos = (long) (seconds * 1e9);
      long startNanos = System.nanoTime();
      long[] tick = {0};
      long timer = vertx.setPeriodic(1, id -> {
        // Each 1 ms tick serves the sessions of one slot: every session sends once per 20 ms period.
        int slot = (int) (tick[0]++ % SLOTS);
        long now = System.nanoTime();
        for (int i = slot; i < all.size(); i += SLOTS) {
          Session s = all.get(i);
          if (!s.ready || s.socket.isClosed()) {
            continue;
          }
          if (s.socket.writeQueueFull()) {
            s.notSent++;
          } else {
            s.socket.writeTextMessage(ProbeFrames.append(s.seq++, now));
            s.accounting.sent();
          }
        }
      });
      if (streaming != null) {
        streaming.run();
      }
      vertx.setTimer(Math.max(1, runNanos / 1_000_000), id -> {
        vertx.cancelTimer(timer);
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        awaitDrain(all, System.nanoTime() + 3_000_000_000L, () -> {
          long sent = 0;
          long notSent = 0;
          long received = 0;
          long lost = 0;
          long reordered = 0;
          for (Session s : all) {
            sent += s.accounting.sentCount();
            notSent += s.notSent;
            received += s.accounting.receivedCount();
            lost += s.accounting.lostCount();
            reordered += s.accounting.reorderedCount();
          }
          PhaseResult phase = new PhaseResult(target.name(), count, elapsed, roundTrip, setup, sent, notSent, received,
              lost, reordered, failed);
          List<Future<Void>> closes = new ArrayList<>();
          for (Session s : all) {
            if (!s.socket.isClosed()) {
              closes.add(s.socket.close());
            }
          }
          Future.join(closes).eventually(client::close).onComplete(x -> result.complete(phase));
        });
      });
    });
  }

  private void awaitDrain(List<Session> sessions, long deadline, Runnable done) {
    boolean drained = sessions.stream().allMatch(s -> s.accounting.receivedCount() >= s.accounting.sentCount());
    if (drained || System.nanoTime() > deadline) {
      done.run();
    } else {
      vertx.setTimer(20, id -> awaitDrain(sessions, deadline, done));
    }
  }

  /** Opens {@code count} sessions and leaves them idle; returns a handle to close them. */
  Future<IdleSessions> openIdle(Target target, int count) {
    Promise<IdleSessions> result = Promise.promise();
    vertx.runOnContext(v -> {
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000)
          .setConnectTimeout(60_000));
      List<ClientWebSocket> sockets = new ArrayList<>(count);
      // In waves, so the relay and the probe are not hit by thousands of simultaneous handshakes.
      openWave(client, target, sockets, count, result);
    });
    return result.future();
  }

  private void openWave(WebSocketClient client, Target target, List<ClientWebSocket> sockets, int count,
      Promise<IdleSessions> result) {
    int wave = Math.min(200, count - sockets.size());
    if (wave == 0) {
      long open = sockets.stream().filter(s -> !s.isClosed()).count();
      result.complete(new IdleSessions(client, sockets, (int) open));
      return;
    }
    List<Future<?>> connects = new ArrayList<>();
    for (int i = 0; i < wave; i++) {
      ClientWebSocket s = client.webSocket();
      s.textMessageHandler(t -> { });
      s.exceptionHandler(e -> { });
      sockets.add(s);
      connects.add(s.connect(target.connectOptions()));
    }
    Future.join(connects).onComplete(x -> openWave(client, target, sockets, count, result));
  }

  /** Idle sessions held open for a memory measurement. */
  record IdleSessions(WebSocketClient client, List<ClientWebSocket> sockets, int open) {
    Future<Void> close() {
      List<Future<Void>> closes = new ArrayList<>();
      for (ClientWebSocket s : sockets) {
        if (!s.isClosed()) {
          closes.add(s.close());
        }
      }
      return Future.join(closes).eventually(client::close).mapEmpty();
    }
  }
}
