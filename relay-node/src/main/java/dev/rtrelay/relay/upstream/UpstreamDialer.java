package dev.rtrelay.relay.upstream;

import dev.rtrelay.relay.wire.Handshakes;
import dev.rtrelay.relay.wire.RawConnection;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.TimeoutException;

/**
 * Opens a relayed session's upstream socket below Vert.x's WebSocket API: a TCP (or TLS, with SNI and host name
 * verification) connection on which the relay writes the HTTP upgrade itself and reads the 101. The session then
 * forwards frame bytes verbatim on it. No extension is offered, so neither side compresses; any bytes that came with
 * the 101 are the first frames and are kept for the session.
 */
public final class UpstreamDialer {
  /** A status line and headers larger than this are not a provider's handshake answer. */
  private static final int MAX_RESPONSE_HEAD = 16 * 1024;

  private final Vertx vertx;
  private final NetClient plain;
  private final NetClient tls;
  private final WarmConnections warm;

  /** @param options socket options (timeouts, idle detection, TCP_NODELAY) shared by plain and TLS connections */
  public UpstreamDialer(Vertx vertx, NetClientOptions options) {
    this(vertx, options, new WarmStats());
  }

  /** @param warmStats where this dialer's warm connections are counted (node-wide) */
  public UpstreamDialer(Vertx vertx, NetClientOptions options, WarmStats warmStats) {
    this.vertx = vertx;
    this.warm = new WarmConnections(vertx, warmStats);
    this.plain = vertx.createNetClient(new NetClientOptions(options).setSsl(false));
    this.tls = vertx.createNetClient(new NetClientOptions(options).setSsl(true)
        .setHostnameVerificationAlgorithm("HTTPS"));
  }

  /** An upgraded upstream connection, not read until started; {@code early} holds frame bytes read with the 101. */
  public record Upgraded(RawConnection connection, Buffer early) {}

  /**
   * Connects and upgrades within {@code options.getTimeout()} ms. Fails with {@link UpstreamRefused} when the
   * provider answers anything but 101, with a {@link TimeoutException} when it does not answer in time.
   */
  public Future<Upgraded> dial(WebSocketConnectOptions options) {
    return dial(options, WarmConnections.Policy.OFF);
  }

  /**
   * As {@link #dial(WebSocketConnectOptions)}, on a warm connection to the host when one is ready; the host's pool
   * is then (re)filled up to {@code warmConnections}, kept at most {@code warmMaxAgeMillis} each.
   */
  public Future<Upgraded> dial(WebSocketConnectOptions options, int warmConnections, long warmMaxAgeMillis) {
    return dial(options, warmConnections > 0 ? new WarmConnections.Policy(warmConnections, warmMaxAgeMillis)
        : WarmConnections.Policy.OFF);
  }

  private Future<Upgraded> dial(WebSocketConnectOptions options, WarmConnections.Policy policy) {
    Promise<Upgraded> result = Promise.promise();
    String host = unbracket(options.getHost());
    // Vert.x 5 takes TLS from the ConnectOptions, not from the client's options: without this a wss:// provider
    // was dialled in plain TCP (and refused the upgrade), with nothing in the tests' ws:// fakes to show it.
    ConnectOptions connect = new ConnectOptions().setSsl(options.isSsl()).setHost(host).setPort(options.getPort())
        .setTimeout((int) Math.min(Integer.MAX_VALUE, options.getConnectTimeout()));
    if (options.isSsl() && !host.contains(":") && !host.matches("[0-9.]+")) {
      connect.setSniServerName(host);
    }
    NetSocket[] opened = new NetSocket[1];
    long timer = vertx.setTimer(Math.max(1, options.getTimeout()), id -> {
      if (result.tryFail(new TimeoutException("no upgrade within " + options.getTimeout() + " ms"))
          && opened[0] != null) {
        opened[0].close();
      }
    });
    WarmConnections.Key key = new WarmConnections.Key(options.isSsl(), host, options.getPort());
    NetSocket ready = policy.size() > 0 ? warm.take(key, policy) : null;
    Supplier<Future<NetSocket>> connectNew = () -> (options.isSsl() ? tls : plain).connect(connect);
    Runnable fresh = () -> connectNew.get().onComplete(connected -> {
        if (connected.failed()) {
          vertx.cancelTimer(timer);
          result.tryFail(connected.cause());
          return;
        }
        NetSocket socket = connected.result();
        opened[0] = socket;
        if (result.future().isComplete()) {
          socket.close();
          return;
        }
        upgrade(socket, options, result, timer, null);
      });
    if (ready != null) {
      opened[0] = ready;
      // A warm connection the provider closed as it was taken: dialled afresh, not counted against the deployment.
      upgrade(ready, options, result, timer, fresh);
    } else {
      fresh.run();
    }
    if (policy.size() > 0) {
      warm.refill(key, policy, connectNew);
    }
    return result.future();
  }

  /**
   * Writes the upgrade on a connected socket and reads the answer.
   *
   * @param ifClosedUnanswered run instead of failing when the socket closes before any byte of an answer (a warm
   *     connection that went stale), or null
   */
  private void upgrade(NetSocket socket, WebSocketConnectOptions options, Promise<Upgraded> result, long timer,
      Runnable ifClosedUnanswered) {
    String key = Handshakes.newKey();
    Buffer[] head = {Buffer.buffer(512)};
    socket.handler(data -> onResponseBytes(socket, head, data, key, result, timer));
    socket.closeHandler(v -> {
      if (ifClosedUnanswered != null && head[0].length() == 0 && !result.future().isComplete()) {
        ifClosedUnanswered.run();
        return;
      }
      if (result.tryFail(new UpstreamRefused(0, "connection closed during the upgrade"))) {
        vertx.cancelTimer(timer);
      }
    });
    socket.exceptionHandler(e -> {
      if (result.tryFail(e)) {
        vertx.cancelTimer(timer);
        socket.close();
      }
    });
    socket.write(request(options, key));
  }

  /** Closes the warm connections this dialer holds (its verticle is stopping). */
  public void close() {
    warm.close();
  }

  private void onResponseBytes(NetSocket socket, Buffer[] head, Buffer data, String key, Promise<Upgraded> result,
      long timer) {
    if (result.future().isComplete()) {
      return;
    }
    head[0].appendBuffer(data);
    int end = endOfHead(head[0]);
    if (end < 0) {
      if (head[0].length() > MAX_RESPONSE_HEAD) {
        vertx.cancelTimer(timer);
        result.tryFail(new UpstreamRefused(0, "handshake answer over " + MAX_RESPONSE_HEAD + " bytes"));
        socket.close();
      }
      return;
    }
    vertx.cancelTimer(timer);
    String text = head[0].getString(0, end, StandardCharsets.ISO_8859_1.name());
    Response response = Response.parse(text);
    String problem = response == null ? "not an HTTP response" : response.problem(key);
    if (problem != null) {
      result.tryFail(new UpstreamRefused(response == null ? 0 : response.status(), problem));
      socket.close();
      return;
    }
    // From here the session owns the connection; taken over now, within this read, so no later read is queued in
    // Vert.x's socket and lost.
    RawConnection connection = RawConnection.takeOver(socket, "upstream");
    int bodyStart = end + 4;
    Buffer early = bodyStart < head[0].length() ? head[0].slice(bodyStart, head[0].length()).copy() : null;
    if (!result.tryComplete(new Upgraded(connection, early))) {
      connection.close();
    }
  }

  private static Buffer request(WebSocketConnectOptions options, String key) {
    StringBuilder r = new StringBuilder(512);
    int port = options.getPort();
    boolean defaultPort = port == (options.isSsl() ? 443 : 80);
    r.append("GET ").append(options.getURI()).append(" HTTP/1.1\r\n")
        .append("Host: ").append(options.getHost()).append(defaultPort ? "" : ":" + port).append("\r\n")
        .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
        .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
        .append("Sec-WebSocket-Version: 13\r\n");
    MultiMap headers = options.getHeaders();
    if (headers != null) {
      for (Map.Entry<String, String> h : headers) {
        r.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      }
    }
    return Buffer.buffer(r.append("\r\n").toString(), StandardCharsets.ISO_8859_1.name());
  }

  /** Index of the blank line ending the response head, or -1 while it is incomplete. */
  private static int endOfHead(Buffer b) {
    for (int i = 0; i + 3 < b.length(); i++) {
      if (b.getByte(i) == '\r' && b.getByte(i + 1) == '\n' && b.getByte(i + 2) == '\r' && b.getByte(i + 3) == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** The provider's answer to the upgrade: its status and the headers that matter to the handshake. */
  private record Response(int status, MultiMap headers) {
    static Response parse(String head) {
      String[] lines = head.split("\r\n");
      String[] statusLine = lines[0].split(" ", 3);
      if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
        return null;
      }
      int status;
      try {
        status = Integer.parseInt(statusLine[1]);
      } catch (NumberFormatException e) {
        return null;
      }
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.add(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
        }
      }
      return new Response(status, headers);
    }

    /** Why this is not an accepted upgrade, or null when it is. */
    String problem(String key) {
      if (status != 101) {
        return "HTTP " + status;
      }
      if (!"websocket".equalsIgnoreCase(headers.get("upgrade"))
          || !String.valueOf(headers.get("connection")).toLowerCase(Locale.ROOT).contains("upgrade")) {
        return "101 without Upgrade: websocket";
      }
      if (!Handshakes.accept(key).equals(headers.get("sec-websocket-accept"))) {
        return "101 with a wrong Sec-WebSocket-Accept";
      }
      if (headers.contains("sec-websocket-extensions")) {
        return "101 with an extension that was not offered";
      }
      return null;
    }
  }
}
