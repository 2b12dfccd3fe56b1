package dev.rtrelay.relay.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small realtime "provider" for tests: a real WebSocket server on an ephemeral loopback port that records every
 * handshake, and either refuses it with a fixed HTTP status or accepts it and echoes every data frame with its type
 * and fragmentation intact. A text frame {@code close:<code>:<reason>} makes it close the socket with that code.
 */
public final class FakeUpstream {
  public record Handshake(String uri, MultiMap headers) {}

  private final HttpServer server;
  private final int rejectStatus;
  private final List<Handshake> handshakes = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger dataFrames = new AtomicInteger();
  private final Promise<Short> firstCloseCode = Promise.promise();
  private final Promise<String> firstCloseReason = Promise.promise();
  private final java.util.concurrent.atomic.AtomicLong floodWritten = new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean stalled;
  /** Voice mode: how long a response.create waits before its first audio delta; -1 means echo it like any frame. */
  private volatile long firstAudioDelayMillis = -1;
  private Vertx vertx;
  private final List<ServerWebSocket> sockets = new CopyOnWriteArrayList<>();

  private FakeUpstream(Vertx vertx, int rejectStatus) {
    this.vertx = vertx;
    this.rejectStatus = rejectStatus;
    this.server = vertx.createHttpServer(new HttpServerOptions()
        .setMaxWebSocketFrameSize(64 * 1024 * 1024)
        .setMaxWebSocketMessageSize(64 * 1024 * 1024));
    server.requestHandler(request -> {
      handshakes.add(new Handshake(request.uri(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers())));
      if (this.rejectStatus != 0) {
        request.response().setStatusCode(this.rejectStatus).end("{\"error\":\"refused by fake upstream\"}");
        return;
      }
      request.toWebSocket().onSuccess(this::serve);
    });
  }

  /** An upstream that accepts and echoes. */
  public static Future<FakeUpstream> echo(Vertx vertx) {
    return start(new FakeUpstream(vertx, 0));
  }

  /**
   * An upstream that answers each {@code response.create} like a voice model: {@code response.created} at once, then
   * after {@code firstAudioDelayMillis} an audio delta and a transcript delta, then {@code response.done}. Everything
   * else is echoed.
   */
  public static Future<FakeUpstream> voice(Vertx vertx, long firstAudioDelayMillis) {
    FakeUpstream upstream = new FakeUpstream(vertx, 0);
    upstream.firstAudioDelayMillis = firstAudioDelayMillis;
    return start(upstream);
  }

  /** From now on, responses wait this long for their first audio (a provider slowing down). */
  public void firstAudioDelay(long millis) {
    firstAudioDelayMillis = millis;
  }

  /** An upstream that refuses every handshake with {@code status}. */
  public static Future<FakeUpstream> rejecting(Vertx vertx, int status) {
    return start(new FakeUpstream(vertx, status));
  }

  private static Future<FakeUpstream> start(FakeUpstream upstream) {
    return upstream.server.listen(0, "127.0.0.1").map(s -> upstream);
  }

  private void serve(ServerWebSocket ws) {
    accepted.incrementAndGet();
    sockets.add(ws);
    if (stalled) {
      ws.pause();
    }
    ws.frameHandler(frame -> {
      if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
        dataFrames.incrementAndGet();
      }
      if (frame.isText() && frame.isFinal() && frame.textData().startsWith("close:")) {
        String[] parts = frame.textData().split(":", 3);
        ws.close(Short.parseShort(parts[1]), parts[2]);
        return;
      }
      if (frame.isText() && frame.isFinal() && frame.textData().startsWith("flood:")) {
        String[] parts = frame.textData().split(":");
        flood(ws, 0, Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), 0);
        return;
      }
      if (firstAudioDelayMillis >= 0 && frame.isText() && frame.isFinal()
          && frame.textData().contains("\"response.create\"")) {
        respond(ws, firstAudioDelayMillis);
        return;
      }
      if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
        ws.writeFrame(frame);
      }
    });
    ws.closeHandler(v -> {
      firstCloseCode.tryComplete(ws.closeStatusCode());
      firstCloseReason.tryComplete(ws.closeReason());
    });
  }

  private void respond(ServerWebSocket ws, long delayMillis) {
    ws.writeTextMessage("{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\"}}");
    vertx.setTimer(Math.max(1, delayMillis), id -> {
      if (ws.isClosed()) {
        return;
      }
      ws.writeTextMessage("{\"type\":\"response.output_audio.delta\",\"delta\":\"AAAA\"}");
      ws.writeTextMessage("{\"type\":\"response.output_audio_transcript.delta\",\"delta\":\"hi\"}");
      ws.writeTextMessage("{\"type\":\"response.done\",\"response\":{\"id\":\"resp_1\",\"status\":"
          + "\"completed\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}");
    });
  }

  /**
   * Writes {@code count} binary frames of {@code size} bytes, each starting with its sequence number, as fast as this
   * socket's write queue drains; {@link #floodWritten()} tells how far it got.
   */
  private void flood(ServerWebSocket ws, int next, int count, int size, long written) {
    int i = next;
    while (i < count && !ws.isClosed()) {
      io.vertx.core.buffer.Buffer frame = io.vertx.core.buffer.Buffer.buffer(new byte[size]);
      frame.setInt(0, i);
      ws.writeBinaryMessage(frame);
      i++;
      floodWritten.addAndGet(size);
      if (ws.writeQueueFull()) {
        int resumeAt = i;
        ws.drainHandler(v -> flood(ws, resumeAt, count, size, 0));
        return;
      }
    }
  }

  /** New sockets stop reading until {@link #unstall()}. */
  public void stall() {
    stalled = true;
  }

  public void unstall() {
    stalled = false;
    sockets.forEach(ServerWebSocket::resume);
  }

  public long floodWritten() {
    return floodWritten.get();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public List<Handshake> handshakes() {
    return handshakes;
  }

  /** Data frames received on all sockets. */
  public int dataFramesReceived() {
    return dataFrames.get();
  }

  public int acceptedSockets() {
    return accepted.get();
  }

  /** Close code the fake saw on the first socket that closed (sent by the relay). */
  public Future<Short> firstCloseCode() {
    return firstCloseCode.future();
  }

  public Future<String> firstCloseReason() {
    return firstCloseReason.future();
  }
}
