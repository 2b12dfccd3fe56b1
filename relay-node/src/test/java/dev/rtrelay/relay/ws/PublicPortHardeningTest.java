package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.OnEventLoop;
import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.LogCapture;
import dev.rtrelay.relay.support.PrometheusSamples;
import dev.rtrelay.relay.support.RawClient;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What an unauthenticated client, a key holder or a browser can do to the public port, and what they get: one test
 * per hardening finding (RFC 6455 on the frame path is {@link WireProtocolTest}).
 */
@ExtendWith(VertxExtension.class)
class PublicPortHardeningTest {
  private RelayFixture relay;
  private Vertx vertx;
  private HttpClient http;

  @AfterEach
  void stop() throws Exception {
    if (http != null) {
      http.close().await(5, TimeUnit.SECONDS);
    }
    if (relay != null) {
      relay.close().await(10, TimeUnit.SECONDS);
    }
  }

  private FakeUpstream start(Vertx vertx, String relaySettings) throws Exception {
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, TestConfigs.echo(upstream.baseUrl()).replace("relay_settings:\n",
        "relay_settings:\n" + relaySettings)).await(10, TimeUnit.SECONDS);
    this.vertx = vertx;
    http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    return upstream;
  }

  private record Reply(int status, io.vertx.core.MultiMap headers, String body) {}

  private Reply request(HttpMethod method, int port, String uri, String... headers) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri);
    for (int i = 0; i < headers.length; i += 2) {
      options.putHeader(headers[i], headers[i + 1]);
    }
    return OnEventLoop.call(vertx, () -> http.request(options).compose(req -> req.send().compose(resp -> resp.body()
        .map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString()))))).await(10, TimeUnit.SECONDS);
  }

  private String scrape() throws Exception {
    return request(HttpMethod.GET, relay.managementPort(), "/metrics").body();
  }

  private static long seriesCount(String metrics) {
    return metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
  }

  @Test
  void madeUpMethodNamesAndApplicationCloseCodesAddNoSeries(Vertx vertx) throws Exception {
    start(vertx, "");
    for (int i = 0; i < 5; i++) {
      request(HttpMethod.valueOf("M" + i), relay.port(), "/x");
    }
    long before = seriesCount(scrape());
    for (int i = 5; i < 300; i++) {
      request(HttpMethod.valueOf("M" + i), relay.port(), "/x");
    }
    String after = scrape();
    assertEquals(before, seriesCount(after), "300 method names, no new series");
    PrometheusSamples samples = new PrometheusSamples(after);
    assertEquals(300, samples.value("rtrelay_http_requests_total", "route", "unknown", "method", "other", "code",
        "404"));
    assertFalse(after.contains("M7"), "a made-up method never becomes a label value");

    for (int code : new int[] {4001, 4002, 3999}) {
      relay.record("echo").await(10, TimeUnit.SECONDS).socket().close((short) code, "bye")
          .await(10, TimeUnit.SECONDS);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    PrometheusSamples closed = new PrometheusSamples(scrape());
    while (closed.value("rtrelay_sessions_closed_total", "model", "echo", "closed_by", "client", "code", "4xxx") < 2
        && System.nanoTime() < deadline) {
      closed = new PrometheusSamples(scrape());
    }
    assertEquals(2, closed.value("rtrelay_sessions_closed_total", "model", "echo", "closed_by", "client", "code",
        "4xxx"));
    assertEquals(1, closed.value("rtrelay_sessions_closed_total", "model", "echo", "closed_by", "client", "code",
        "3xxx"));
  }

  @Test
  void webRtcSignInIsOffWithoutTokenSecretsEvenWithAMasterKey(Vertx vertx) throws Exception {
    start(vertx, "");
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(relay.port()).setURI("/v1/realtime/client_secrets")
        .putHeader("Authorization", "Bearer " + RelayFixture.MASTER_KEY).putHeader("Content-Type", "application/json");
    Reply reply = OnEventLoop.call(vertx, () -> http.request(options)
        .compose(req -> req.send("{\"model\":\"echo\"}").compose(resp -> resp.body()
        .map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString()))))).await(10, TimeUnit.SECONDS);
    assertEquals(501, reply.status());
    assertTrue(reply.body().contains("general_settings.webrtc_token_secrets"), reply.body());
  }

  @Test
  void aRequestHeadTrickledByteByByteIsClosedAtTheHandshakeTimeoutEvenWithPingsOff(Vertx vertx) throws Exception {
    start(vertx, "  ping_interval_seconds: 0\n  handshake_timeout_seconds: 1\n");
    try (Socket socket = new Socket("127.0.0.1", relay.port())) {
      socket.setSoTimeout(100);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      byte[] head = ("GET /v1/realtime?model=echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "X-Padding: " + "a".repeat(200)).getBytes(StandardCharsets.US_ASCII);
      long started = System.nanoTime();
      boolean closed = false;
      for (int i = 0; i < head.length && !closed; i++) {
        try {
          out.write(head[i]);
          out.flush();
        } catch (java.io.IOException e) {
          closed = true;
          break;
        }
        try {
          closed = in.read() < 0;
        } catch (SocketTimeoutException stillOpen) {
          // the relay is still waiting for the rest of the head
        } catch (java.io.IOException reset) {
          closed = true;
        }
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      assertTrue(closed, "still open after trickling the whole head");
      assertTrue(seconds < 5, "closed after " + seconds + " s with a 1 s handshake timeout");
    }
  }

  @Test
  void aSilentSessionIsClosedAtTheIdleTimeoutWhenPingsAreOff(Vertx vertx) throws Exception {
    start(vertx, "  ping_interval_seconds: 0\n  idle_timeout_seconds: 1\n");
    try (RawClient client = RawClient.connect(relay.port(), "/v1/realtime?model=echo",
        "Authorization: Bearer " + RelayFixture.MASTER_KEY + "\r\nSec-WebSocket-Version: 13\r\n")) {
      assertEquals(101, client.status());
      long started = System.nanoTime();
      assertTrue(client.endsWithin(), "a silent session outlived the 1 s idle timeout by the socket's 10 s");
      assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 5);
    }
    // Booked as the relay's close for silence, not as an abnormal close (1006) by the client.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    PrometheusSamples closed = new PrometheusSamples(scrape());
    while (!closed.has("rtrelay_sessions_closed_total") && System.nanoTime() < deadline) {
      closed = new PrometheusSamples(scrape());
    }
    assertEquals(1, closed.value("rtrelay_sessions_closed_total", "model", "echo", "closed_by", "relay", "code",
        "1001"));
    assertFalse(closed.toString().contains("closed_by=\"client\""), closed.toString());
  }

  @Test
  void aRefusedRequestsConnectionIsClosedAtOnce(Vertx vertx) throws Exception {
    start(vertx, "");
    try (RawClient client = RawClient.connect(relay.port(), "/v1/realtime?model=echo",
        "Authorization: Bearer sk-wrong\r\nSec-WebSocket-Version: 13\r\n")) {
      assertEquals(401, client.status());
      client.body();
      long started = System.nanoTime();
      assertTrue(client.endsWithin(), "the refused connection stayed open");
      assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 2_000);
    }
  }

  @Test
  void aClientChosenValueCannotForgeALogLine(Vertx vertx) throws Exception {
    start(vertx, "");
    try (LogCapture logs = new LogCapture();
        RawClient client = RawClient.connect(relay.port(),
            "/v1/realtime?model=evil%0D%0A09:00:00.000%20INFO%20session%20rs_x%20open:%20key%20'admin'",
            "Authorization: Bearer " + RelayFixture.MASTER_KEY + "\r\nSec-WebSocket-Version: 13\r\n")) {
      assertEquals(404, client.status());
      List<String> refusals = logs.lines().stream().filter(l -> l.contains("evil")).toList();
      assertEquals(1, refusals.size(), refusals.toString());
      assertFalse(refusals.get(0).contains("\n") || refusals.get(0).contains("\r"), refusals.get(0));
      assertTrue(refusals.get(0).contains("evil\\u000d\\u000a09:00"), refusals.get(0));
    }
  }

  @Test
  void aFloodOfRefusalsIsLoggedAtASampledRate(Vertx vertx) throws Exception {
    start(vertx, "  auth_failure_limit: 0\n");
    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < 300; i++) {
        try (RawClient client = RawClient.connect(relay.port(), "/v1/realtime?model=nope",
            "Authorization: Bearer " + RelayFixture.MASTER_KEY + "\r\nSec-WebSocket-Version: 13\r\n")) {
          assertEquals(404, client.status());
        }
      }
      // The suppressed count is reported with the first line the next second lets through.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (logs.lines().stream().noneMatch(l -> l.contains("more refusal(s) not logged")) && System.nanoTime() < until) {
        try (RawClient client = RawClient.connect(relay.port(), "/v1/realtime?model=nope",
            "Authorization: Bearer " + RelayFixture.MASTER_KEY + "\r\nSec-WebSocket-Version: 13\r\n")) {
          assertEquals(404, client.status());
        }
      }
      List<String> lines = logs.lines().stream().filter(l -> l.contains("refused with")).toList();
      assertTrue(lines.size() < 300, lines.size() + " refusal lines for 300 refusals");
      assertTrue(lines.stream().anyMatch(l -> l.contains("more refusal(s) not logged")),
          "no line says how many refusals went unlogged");
    }
  }

  @Test
  void repeatedBadKeysFromOneAddressAreBrakedWithoutTouchingOthers(Vertx vertx) throws Exception {
    start(vertx, "  auth_failure_limit: 3\n  auth_failure_window_seconds: 60\n  trusted_proxies: [127.0.0.1]\n");
    for (int i = 0; i < 3; i++) {
      assertEquals(401, request(HttpMethod.GET, relay.port(), "/v1/models", "Authorization", "Bearer sk-guess-" + i,
          "X-Forwarded-For", "203.0.113.7").status());
    }
    Reply braked = request(HttpMethod.GET, relay.port(), "/v1/models", "Authorization",
        "Bearer " + RelayFixture.MASTER_KEY, "X-Forwarded-For", "203.0.113.7");
    assertEquals(429, braked.status(), "even a good key, once the address is braked");
    assertTrue(Integer.parseInt(braked.headers().get("Retry-After")) > 0);
    assertEquals(200, request(HttpMethod.GET, relay.port(), "/v1/models", "Authorization",
        "Bearer " + RelayFixture.MASTER_KEY, "X-Forwarded-For", "203.0.113.8").status(), "another address");
    // A forwarded-for entry added by the client itself, left of the real one, does not escape the brake.
    assertEquals(429, request(HttpMethod.GET, relay.port(), "/v1/models", "Authorization",
        "Bearer " + RelayFixture.MASTER_KEY, "X-Forwarded-For", "198.51.100.1, 203.0.113.7").status());
  }

  @Test
  void anUnreachableProviderIsNamedByDeploymentAndCategoryNeverByAddressOrException(Vertx vertx) throws Exception {
    relay = RelayFixture.start(vertx, TestConfigs.echo("http://127.0.0.1:1")).await(10, TimeUnit.SECONDS);
    this.vertx = vertx;
    http = vertx.createHttpClient();
    RelayFixture.Rejection refused = relay.expectRejection(relay.options("echo")
        .addHeader("Authorization", "Bearer " + RelayFixture.MASTER_KEY)).await(20, TimeUnit.SECONDS);
    assertEquals(502, refused.status());
    String message = refused.message();
    assertTrue(message.contains("echo#0: connect_error"), message);
    assertFalse(message.contains("127.0.0.1") || message.contains(":1)") || message.contains("Exception"), message);
  }
}
