package dev.rtrelay.soak;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.IntFunction;

/**
 * One soak client "slot": a voice session that streams a 20 ms frame every 20 ms and checks that every frame comes
 * back, in order (the soak provider echoes each one; the frame's counter and the slot are written into its audio).
 * When its session ends it records how, then opens a new one on a relay that is up: the harness keeps N sessions
 * live through every fault. Everything runs on the slot's own Vert.x context.
 */
final class SoakClient {
  static final String MODEL = "soak";
  private static final int FRAME_BYTES = 960;
  private static final long RECONNECT_MILLIS = 300;

  /** How one session went. {@code lossEvents} are (epoch ms, frames) of each gap seen. */
  record Session(int slot, String id, String relay, long startedMillis, long endedMillis, Integer closeCode,
      String closeReason, boolean endedByHarness, long framesSent, long framesReceived, long framesLost,
      long framesReordered, List<long[]> lossEvents) {}

  private final int slot;
  private final WebSocketClient client;
  private final Context context;
  private final IntFunction<SoakRelays.Choice> relays;
  private final String key;
  private final List<Session> ended = new ArrayList<>();
  private volatile WebSocket ws;
  private volatile String sessionId;
  private volatile String relayName;
  private long startedMillis;
  private long sent;
  private long expect;
  private long received;
  private long lost;
  private long reordered;
  private List<long[]> lossEvents = new ArrayList<>();
  private boolean finishing;
  private volatile boolean stalled;
  private long timer = -1;
  private Promise<Void> drained;

  SoakClient(Vertx vertx, WebSocketClient client, int slot, IntFunction<SoakRelays.Choice> relays, String key) {
    this.slot = slot;
    this.client = client;
    this.context = vertx.getOrCreateContext();
    this.relays = relays;
    this.key = key;
  }

  void start() {
    context.runOnContext(v -> {
      timer = context.owner().setPeriodic(20, id -> tick());
      connect();
    });
  }

  private void connect() {
    if (finishing) {
      return;
    }
    SoakRelays.Choice relay = relays.apply(slot);
    if (relay == null) {
      context.owner().setTimer(RECONNECT_MILLIS, id -> connect());
      return;
    }
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(relay.port())
        .setURI("/v1/realtime?model=" + MODEL).addHeader("Authorization", "Bearer " + key)).onComplete(ar -> {
          if (ar.failed()) {
            context.owner().setTimer(RECONNECT_MILLIS, id -> connect());
            return;
          }
          WebSocket socket = ar.result();
          ws = socket;
          sessionId = socket.headers().get("x-rtrelay-session-id");
          relayName = relay.name();
          startedMillis = System.currentTimeMillis();
          sent = 0;
          expect = 0;
          received = 0;
          lost = 0;
          reordered = 0;
          lossEvents = new ArrayList<>();
          socket.textMessageHandler(this::onText);
          socket.closeHandler(v -> onClosed(socket));
        });
  }

  private void tick() {
    if (ws == null || finishing || ws.isClosed()) {
      return;
    }
    byte[] audio = new byte[FRAME_BYTES];
    ByteBuffer.wrap(audio).putInt((int) sent).putInt(slot);
    sent++;
    ws.writeTextMessage("{\"type\":\"input_audio_buffer.append\",\"audio\":\""
        + Base64.getEncoder().encodeToString(audio) + "\"}");
  }

  private void onText(String text) {
    if (!text.startsWith("{\"type\":\"response.output_audio.delta\"")) {
      return;
    }
    byte[] audio = Base64.getDecoder().decode(new JsonObject(text).getString("delta"));
    if (audio.length != FRAME_BYTES) {
      return; // a flood delta
    }
    ByteBuffer b = ByteBuffer.wrap(audio);
    long counter = b.getInt() & 0xffffffffL;
    int from = b.getInt();
    if (from != slot) {
      reordered++; // another session's frame: as wrong as a frame out of order
      return;
    }
    received++;
    if (counter == expect) {
      expect++;
    } else if (counter > expect) {
      lost += counter - expect;
      lossEvents.add(new long[] {System.currentTimeMillis(), counter - expect});
      expect = counter + 1;
    } else {
      reordered++;
    }
    if (drained != null && expect >= sent) {
      drained.tryComplete();
    }
  }

  private void onClosed(WebSocket socket) {
    if (socket != ws) {
      return;
    }
    long trailing = Math.max(0, sent - expect);
    if (trailing > 0 && finishing) {
      lost += trailing;
      lossEvents.add(new long[] {System.currentTimeMillis(), trailing});
    }
    synchronized (ended) {
      ended.add(new Session(slot, sessionId, relayName, startedMillis, System.currentTimeMillis(),
          (int) socket.closeStatusCode(), socket.closeReason(), finishing, sent, received, lost, reordered,
          List.copyOf(lossEvents)));
    }
    ws = null;
    stalled = false;
    if (!finishing) {
      context.owner().setTimer(RECONNECT_MILLIS, id -> connect());
    }
  }

  /** The provider ends this session (1011), as on an internal error. */
  Future<String> dropByProvider() {
    return onContext(() -> {
      if (ws == null) {
        return null;
      }
      ws.writeTextMessage("{\"type\":\"soak.drop\"}");
      return sessionId;
    });
  }

  /** This client stops reading while the provider floods it; the relay must close it, naming the client. */
  Future<String> stopReading() {
    return onContext(() -> {
      if (ws == null) {
        return null;
      }
      stalled = true;
      ws.pause();
      ws.writeTextMessage("{\"type\":\"soak.flood\"}");
      return sessionId;
    });
  }

  /** Stops sending, waits (up to 3 s) until every frame sent came back, then closes with 1000. */
  Future<Void> finish() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      finishing = true;
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
      }
      WebSocket socket = ws;
      if (socket == null || socket.isClosed()) {
        done.complete();
        return;
      }
      drained = Promise.promise();
      if (expect >= sent) {
        drained.tryComplete();
      }
      context.owner().setTimer(3_000, id -> drained.tryComplete());
      drained.future().onComplete(d -> {
        socket.closeHandler(c -> {
          onClosed(socket);
          done.tryComplete();
        });
        socket.close((short) 1000, "soak over");
        context.owner().setTimer(5_000, id -> done.tryComplete());
      });
    });
    return done.future();
  }

  String relayName() {
    return relayName;
  }

  boolean live() {
    return ws != null && !stalled;
  }

  List<Session> sessions() {
    synchronized (ended) {
      return List.copyOf(ended);
    }
  }

  private <T> Future<T> onContext(java.util.concurrent.Callable<T> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        result.complete(action.call());
      } catch (Exception e) {
        result.fail(e);
      }
    });
    return result.future();
  }
}
