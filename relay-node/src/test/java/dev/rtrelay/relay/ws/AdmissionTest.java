package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.RelayFixture.Rejection;
import dev.rtrelay.relay.support.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Who may open a session, how the key is presented, and what a refusal looks like (before any upgrade). */
@ExtendWith(VertxExtension.class)
class AdmissionTest {
  private FakeUpstream upstream;
  private RelayFixture relay;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, TestConfigs.echo(upstream.baseUrl())).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
  }

  private WebSocket open(WebSocketConnectOptions options) throws Exception {
    return relay.connect(options).await(10, TimeUnit.SECONDS);
  }

  private Rejection refused(WebSocketConnectOptions options) throws Exception {
    return relay.expectRejection(options).await(10, TimeUnit.SECONDS);
  }

  @Test
  void bearerHeaderIsAcceptedAndNoSubprotocolIsSelectedWhenNoneOffered() throws Exception {
    WebSocket ws = open(relay.options("echo").addHeader("Authorization", "Bearer " + RelayFixture.MASTER_KEY));
    assertNull(ws.subProtocol());
    assertTrue(ws.headers().get(RealtimeEndpoint.SESSION_ID_HEADER).startsWith("rs_"), "session id for correlation");
    ws.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void apiKeyHeaderIsAccepted() throws Exception {
    WebSocket ws = open(relay.options("echo").addHeader("api-key", TestConfigs.TEAM_KEY));
    assertFalse(ws.isClosed());
    ws.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void subprotocolKeyIsAcceptedAndExactlyRealtimeIsSelected() throws Exception {
    WebSocket ws = open(relay.options("echo").setSubProtocols(
        List.of("realtime", "openai-insecure-api-key." + TestConfigs.TEAM_KEY, "openai-beta.realtime-v1")));
    assertEquals("realtime", ws.subProtocol());
    ws.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void subprotocolsWithoutRealtimeAreRefusedWith400() throws Exception {
    Rejection r = refused(relay.options("echo").setSubProtocols(
        List.of("openai-insecure-api-key." + TestConfigs.TEAM_KEY)));
    assertEquals(400, r.status());
    assertTrue(r.message().contains("realtime"), r.message());
    assertFalse(r.body().encode().contains(TestConfigs.TEAM_KEY));
  }

  @Test
  void missingKeyIsRefusedWith401() throws Exception {
    Rejection r = refused(relay.options("echo"));
    assertEquals(401, r.status());
    assertEquals("authentication_error", r.body().getJsonObject("error").getString("type"));
  }

  @Test
  void wrongKeyIsRefusedWith401WithoutEchoingIt() throws Exception {
    String wrong = "sk-wrong-guess-31337";
    Rejection r = refused(relay.options("echo").addHeader("Authorization", "Bearer " + wrong));
    assertEquals(401, r.status());
    assertFalse(r.body().encode().contains(wrong));
  }

  @Test
  void expiredKeyIsRefusedWith401() throws Exception {
    Rejection r = refused(relay.options("echo").addHeader("api-key", TestConfigs.EXPIRED_KEY));
    assertEquals(401, r.status());
    assertTrue(r.message().contains("expired"), r.message());
  }

  @Test
  void unknownModelIsRefusedWith404() throws Exception {
    Rejection r = refused(relay.options("no-such-model").addHeader("api-key", TestConfigs.TEAM_KEY));
    assertEquals(404, r.status());
    assertTrue(r.message().contains("no-such-model"));
  }

  @Test
  void missingModelIsRefusedWith400() throws Exception {
    Rejection r = refused(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(relay.port())
        .setURI("/v1/realtime").addHeader("api-key", TestConfigs.TEAM_KEY));
    assertEquals(400, r.status());
  }

  @Test
  void modelOutsideTheKeysAllowListIsRefusedWith403() throws Exception {
    Rejection r = refused(relay.options("other").addHeader("api-key", TestConfigs.TEAM_KEY));
    assertEquals(403, r.status());
    assertTrue(r.message().contains("team-a"), "names the key alias, never the key: " + r.message());
    assertEquals(0, upstream.handshakes().size(), "refused before any upstream connection");
  }

  @Test
  void maxParallelSessionsIsEnforcedPerKeyAndFreedOnClose() throws Exception {
    WebSocketConnectOptions limited = relay.options("echo").addHeader("api-key", TestConfigs.LIMITED_KEY);
    WebSocket first = open(limited);
    assertEquals(429, refused(limited).status());
    first.close().await(5, TimeUnit.SECONDS);
    // The relay frees the slot when it sees the close, which can trail the client's close future slightly.
    WebSocket again = retryUntilOpen(limited);
    again.close().await(5, TimeUnit.SECONDS);
  }

  private WebSocket retryUntilOpen(WebSocketConnectOptions options) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Future<WebSocket> f = relay.connect(options);
      try {
        return f.await(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("slot was never released", e);
        }
      }
    }
  }

  @Test
  void upstreamGetsTheProviderKeyNeverTheClientKeyAndTheClientsBetaHeader() throws Exception {
    WebSocket ws = open(relay.options("echo").addHeader("api-key", TestConfigs.TEAM_KEY)
        .addHeader("OpenAI-Beta", "realtime=v1"));
    FakeUpstream.Handshake h = upstream.handshakes().get(0);
    assertEquals("Bearer " + TestConfigs.PROVIDER_KEY, h.headers().get("authorization"));
    assertNull(h.headers().get("api-key"));
    assertEquals("realtime=v1", h.headers().get("openai-beta"));
    assertEquals("/v1/realtime?model=echo-model", h.uri());
    assertFalse(h.headers().toString().contains(TestConfigs.TEAM_KEY));
    ws.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void betaHeaderIsNotInventedForOpenAi() throws Exception {
    WebSocket ws = open(relay.options("echo").addHeader("api-key", TestConfigs.TEAM_KEY));
    assertNull(upstream.handshakes().get(0).headers().get("openai-beta"));
    ws.close().await(5, TimeUnit.SECONDS);
  }
}
