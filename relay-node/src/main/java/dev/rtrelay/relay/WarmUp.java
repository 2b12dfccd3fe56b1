package dev.rtrelay.relay;

import dev.rtrelay.relay.config.ConfigLoader;
import dev.rtrelay.relay.config.RelayConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Warms the JIT before a node takes traffic, so that a node joining under load (autoscaling, a rolling update) does
 * not serve its first thousands of sessions at cold-JVM speed. A throwaway relay on a loopback port (the same code
 * and, with TLS, the same certificate; its own metrics, a random key and the simulated provider upstream) carries
 * short sessions: handshake, audio appends up, a response down, close. The JIT compiles what they ran, and that code
 * is what the real node runs. The throwaway relay is gone before the real one listens: no port, metric or log line of
 * the node shows it, and a failed warm-up only costs the start-up speed it was meant to buy.
 */
final class WarmUp {
  private static final String MODEL = "warm-up";
  /** Sessions in flight at once: enough to keep both event loops busy, few enough not to queue behind each other. */
  private static final int CONCURRENCY = 16;
  private static final long SESSION_TIMEOUT_MILLIS = 10_000;
  private static final long TOTAL_LIMIT_MILLIS = 60_000;
  /** 20 ms of 24 kHz PCM16, as realtime clients send it. */
  private static final String APPEND = "{\"type\":\"input_audio_buffer.append\",\"audio\":\""
      + Base64.getEncoder().encodeToString(new byte[960]) + "\"}";
  private static final String COMMIT = "{\"type\":\"input_audio_buffer.commit\"}";
  private static final String RESPONSE_CREATE = "{\"type\":\"response.create\",\"response\":"
      + "{\"output_modalities\":[\"text\"]}}";

  private WarmUp() {}

  /**
   * Runs {@code sessions} sessions (0: none) and describes what was done; never fails.
   *
   * @param real how the real node will listen: its TLS certificate is used too, so TLS code is warmed as well
   */
  static Future<String> run(Vertx vertx, ServerOptions real, int sessions) {
    if (sessions <= 0) {
      return Future.succeededFuture("warm-up: off (relay_settings.warm_up_sessions: 0)");
    }
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    String key = "sk-warm-up-" + HexFormat.of().formatHex(secret);
    RelayConfig config = new ConfigLoader(name -> null).parse("""
        model_list:
          - model_name: %s
            litellm_params: {model: simulated/warm-up}
        general_settings:
          master_key: %s
        """.formatted(MODEL, key), "warm-up config");
    ServerOptions loopback = new ServerOptions("127.0.0.1", 0, real.tlsCert(), real.tlsKey(), 1);
    long started = System.nanoTime();
    return RelayNode.startQuiet(vertx, config, loopback)
        .compose(node -> drive(vertx, node.port(), real.tls(), key, sessions).eventually(node::close))
        .map(done -> "warm-up: " + done + " sessions through a throwaway relay in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms")
        .otherwise(e -> "warm-up skipped (" + e.getMessage() + "); the first sessions meet a cold JIT");
  }

  /** Completes with the number of sessions that finished, {@link #CONCURRENCY} at a time. */
  private static Future<Integer> drive(Vertx vertx, int port, boolean tls, String key, int sessions) {
    Promise<Integer> done = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(tls)
          // Its own certificate on its own loopback port: nothing to verify.
          .setTrustAll(tls).setVerifyHost(false).setConnectTimeout(5_000).setMaxConnections(CONCURRENCY * 2));
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setSsl(tls)
          .setURI("/v1/realtime?model=" + MODEL).addHeader("Authorization", "Bearer " + key);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TOTAL_LIMIT_MILLIS);
      int[] counts = new int[3]; // started, finished, failed
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        if (counts[0] >= sessions || System.nanoTime() > deadline || counts[2] > CONCURRENCY) {
          if (counts[1] + counts[2] == counts[0]) {
            client.close().onComplete(x -> done.tryComplete(counts[1]));
          }
          return;
        }
        counts[0]++;
        session(vertx, client, options).onComplete(ar -> {
          counts[ar.succeeded() ? 1 : 2]++;
          next[0].run();
        });
      };
      for (int i = 0; i < CONCURRENCY; i++) {
        next[0].run();
      }
    });
    return done.future();
  }

  /** One short session: a few audio frames and a committed turn up, a response down, then a close. */
  private static Future<Void> session(Vertx vertx, WebSocketClient client, WebSocketConnectOptions options) {
    Promise<Void> result = Promise.promise();
    ClientWebSocket socket = client.webSocket();
    long timer = vertx.setTimer(SESSION_TIMEOUT_MILLIS, id -> {
      result.tryFail("warm-up session timed out");
      socket.close();
    });
    socket.textMessageHandler(text -> {
      if (text.startsWith("{\"type\":\"session.created\"")) {
        for (int i = 0; i < 5; i++) {
          socket.writeTextMessage(APPEND);
        }
        socket.writeTextMessage(COMMIT);
        socket.writeTextMessage(RESPONSE_CREATE);
      } else if (text.startsWith("{\"type\":\"response.done\"")) {
        socket.close();
      }
    });
    socket.closeHandler(v -> {
      vertx.cancelTimer(timer);
      result.tryComplete();
    });
    socket.exceptionHandler(e -> {
      vertx.cancelTimer(timer);
      result.tryFail(e);
    });
    socket.connect(options).onFailure(e -> {
      vertx.cancelTimer(timer);
      result.tryFail(e);
    });
    return result.future();
  }
}
