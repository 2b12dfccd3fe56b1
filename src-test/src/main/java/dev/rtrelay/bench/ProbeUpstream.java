package dev.rtrelay.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;

/**
 * The latency probe provider: speaks just enough of the realtime protocol (session.created on connect, an audio
 * delta with the same payload for every input_audio_buffer.append, at once). Runs in its own process during
 * benchmarks ({@link #main}) so its sockets and CPU are not charged to the load generator.
 */
public final class ProbeUpstream {
  private ProbeUpstream() {}

  static Future<HttpServer> start(Vertx vertx, String host, int port) {
    return start(vertx, host, port, null);
  }

  /** @param tls the server's key and certificate for {@code wss://}, or null for plain {@code ws://} */
  public static Future<HttpServer> start(Vertx vertx, String host, int port, io.vertx.core.net.KeyCertOptions tls) {
    HttpServerOptions options = new HttpServerOptions();
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(tls);
    }
    HttpServer server = vertx.createHttpServer(options.setTcpNoDelay(true)
        .setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(1 << 20)
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false));
    server.webSocketHandler(ws -> {
      if (ws.path().contains("BidiGenerateContent")) {
        serveGemini(ws);
        return;
      }
      ws.textMessageHandler(text -> {
        String answer = ProbeFrames.answer(text);
        if (answer != null && !ws.isClosed()) {
          ws.writeTextMessage(answer);
        }
      });
      ws.exceptionHandler(e -> { });
      ws.writeTextMessage(ProbeFrames.SESSION_CREATED);
    });
    server.requestHandler(ProbeUpstream::signIn);
    return server.listen(port, host);
  }

  /**
   * The same probe in Gemini Live's protocol, for translated sessions: setupComplete for the setup, and each
   * realtimeInput audio chunk echoed at once as model audio (which the relay turns back into an audio delta).
   */
  private static void serveGemini(ServerWebSocket ws) {
    ws.textMessageHandler(text -> {
      if (text.startsWith("{\"setup\"")) {
        ws.writeTextMessage("{\"setupComplete\":{}}");
        return;
      }
      int data = text.indexOf(GEMINI_DATA);
      if (!text.startsWith("{\"realtimeInput\"") || data < 0 || ws.isClosed()) {
        return;
      }
      int start = data + GEMINI_DATA.length();
      String audio = text.substring(start, text.indexOf('"', start));
      ws.writeTextMessage("{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"inlineData\":{\"mimeType\":"
          + "\"audio/pcm;rate=24000\",\"data\":\"" + audio + "\"}}]}}}");
    });
    ws.exceptionHandler(e -> { });
  }

  private static final String GEMINI_DATA = "\"data\":\"";

  /** WebRTC sign-in, answered at once: an ephemeral key, and 201 with a Location and an SDP answer. */
  private static void signIn(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      switch (request.path()) {
        case "/v1/realtime/client_secrets" -> request.response().putHeader("content-type", "application/json")
            .end("{\"value\":\"ek_probe\",\"expires_at\":" + (System.currentTimeMillis() / 1000 + 600)
                + ",\"session\":{\"type\":\"realtime\",\"model\":\"probe\"}}");
        case "/v1/realtime/calls" -> request.response().setStatusCode(201)
            .putHeader("location", "/v1/realtime/calls/rtc_probe").putHeader("content-type", "application/sdp")
            .end(SDP_ANSWER);
        default -> request.response().setStatusCode(404).end();
      }
    });
  }

  static final String SDP_ANSWER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n";

  /** {@code ProbeUpstream PORT}: serves until killed; prints {@code probe listening on PORT} when ready. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    Vertx vertx = Vertx.vertx();
    HttpServer server = start(vertx, "127.0.0.1", port).await();
    System.out.println("probe listening on " + server.actualPort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
