package dev.rtrelay.relay.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.OnEventLoop;
import dev.rtrelay.relay.support.FakeWebRtcProvider;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TestConfigs;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** client_secrets then calls through a relay, against a fake provider that records what it receives. */
@ExtendWith(VertxExtension.class)
class WebRtcSignInTest {
  static final String OFFER = "v=0\r\no=- 7 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
  private static final String KEY = "sk-webrtc-user-31c4";
  private static final String RATED_KEY = "sk-webrtc-rated-8d2e";
  static final String TOKEN_SECRET = "test-token-secret-0123456789abcdef-0123456789";

  private FakeWebRtcProvider healthy;
  private FakeWebRtcProvider failing;
  private RelayFixture relay;
  private Vertx vertx;
  private HttpClient http;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    healthy = FakeWebRtcProvider.start(vertx).await(5, TimeUnit.SECONDS);
    failing = FakeWebRtcProvider.start(vertx).await(5, TimeUnit.SECONDS);
    failing.failSecretsWith(500);
    relay = RelayFixture.start(vertx, yaml(healthy.baseUrl(), failing.baseUrl())).await(10, TimeUnit.SECONDS);
    this.vertx = vertx;
    http = vertx.createHttpClient();
  }

  static String yaml(String healthyBase, String failingBase) {
    return """
        model_list:
          - model_name: rt
            litellm_params:
              model: openai/gpt-realtime-2025-08-28
              api_key: %s
              api_base: %s
              weight: 0.001
            model_info: {id: healthy}
          - model_name: rt
            litellm_params:
              model: openai/gpt-realtime-2025-08-28
              api_key: %s
              api_base: %s
              weight: 1000
            model_info: {id: failing}
        general_settings:
          master_key: %s
          webrtc_token_secrets: ["%s"]
          virtual_keys:
            - key_alias: webrtc-user
              key: %s
              team_id: voice
            - key_alias: rated
              key: %s
              rpm_limit: 2
        """.formatted(TestConfigs.PROVIDER_KEY, healthyBase, TestConfigs.PROVIDER_KEY, failingBase,
        RelayFixture.MASTER_KEY, TOKEN_SECRET, KEY, RATED_KEY);
  }

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
    healthy.close().await(5, TimeUnit.SECONDS);
    failing.close().await(5, TimeUnit.SECONDS);
  }

  record Reply(int status, MultiMap headers, Buffer body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private Reply post(HttpClient http, int port, String path, Map<String, String> headers, Buffer body)
      throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI(path);
    headers.forEach(options::putHeader);
    return OnEventLoop.call(vertx, () -> http.request(options)
        .compose(req -> req.send(body).compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(),
            resp.headers(), b)))))
        .await(10, TimeUnit.SECONDS);
  }

  private Reply clientSecret(String key, JsonObject body) throws Exception {
    return post(http, relay.port(), "/v1/realtime/client_secrets",
        Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json"), body.toBuffer());
  }

  private Reply call(String token, String contentType, Buffer body) throws Exception {
    return post(http, relay.port(), "/v1/realtime/calls",
        Map.of("Authorization", "Bearer " + token, "Content-Type", contentType), body);
  }

  @Test
  void liteLlmShapeThenRawSdpFailsOverAndPassesTheAnswerBackUnchanged() throws Exception {
    Reply secret = clientSecret(KEY, new JsonObject().put("model", "rt").put("instructions", "be brief"));
    assertEquals(200, secret.status(), secret.body().toString());
    String token = secret.json().getJsonObject("client_secret").getString("value");
    assertTrue(token.startsWith("rtr_"), token);
    assertEquals(token, secret.json().getString("value"), "GA clients read value, LiteLLM's read client_secret.value");
    assertFalse(secret.body().toString().contains("ek_fake"), "the provider's ephemeral key never reaches the client");
    assertEquals("rt", secret.json().getJsonObject("session").getString("model"));

    assertEquals(1, failing.requests("/v1/realtime/client_secrets").size(), "the heavier deployment was tried first");
    FakeWebRtcProvider.Request upstream = healthy.requests("/v1/realtime/client_secrets").get(0);
    assertEquals("Bearer " + TestConfigs.PROVIDER_KEY, upstream.headers().get("authorization"));
    JsonObject session = upstream.json().getJsonObject("session");
    assertEquals("gpt-realtime-2025-08-28", session.getString("model"), "alias replaced by the deployment's model");
    assertEquals("realtime", session.getString("type"));
    assertEquals("be brief", session.getString("instructions"), "extra fields are session fields");

    Reply answer = call(token, "application/sdp", Buffer.buffer(OFFER));
    assertEquals(201, answer.status(), answer.body().toString());
    assertEquals("/v1/realtime/calls/rtc_fake_1", answer.headers().get("location"));
    assertEquals("application/sdp", answer.headers().get("content-type"));
    assertEquals(FakeWebRtcProvider.ANSWER, answer.body().toString());
    assertNull(answer.headers().get("x-provider-internal"), "only status, Location and Content-Type pass back");
    FakeWebRtcProvider.Request offer = healthy.requests("/v1/realtime/calls").get(0);
    assertTrue(offer.headers().get("authorization").startsWith("Bearer ek_fake_"));
    assertEquals("application/sdp", offer.headers().get("content-type"));
    assertEquals(OFFER, offer.body().toString(), "the offer is forwarded byte for byte");
  }

  @Test
  void gaShapeThenMultipartOfferWithSessionPart() throws Exception {
    Reply secret = clientSecret(RelayFixture.MASTER_KEY, new JsonObject()
        .put("session", new JsonObject().put("type", "realtime").put("model", "rt"))
        .put("expires_after", new JsonObject().put("anchor", "created_at").put("seconds", 120)));
    assertEquals(200, secret.status(), secret.body().toString());
    JsonObject sent = healthy.requests("/v1/realtime/client_secrets").get(0).json();
    assertEquals(120, sent.getJsonObject("expires_after").getInteger("seconds"));
    String token = secret.json().getString("value");

    String boundary = "----test-boundary-5c1";
    // The shape the official SDKs send: filename-less file parts with their own content types.
    String multipart = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"sdp\"; filename=\"\"\r\nContent-Type: application/sdp\r\n\r\n"
        + OFFER + "\r\n--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"session\"; filename=\"\"\r\nContent-Type: application/json\r\n\r\n"
        + "{\"type\":\"realtime\",\"model\":\"rt\",\"instructions\":\"hi\"}\r\n--" + boundary + "--\r\n";
    Reply answer = call(token, "multipart/form-data; boundary=" + boundary, Buffer.buffer(multipart));
    assertEquals(201, answer.status(), answer.body().toString());
    assertEquals(FakeWebRtcProvider.ANSWER, answer.body().toString());
    FakeWebRtcProvider.Request offer = healthy.requests("/v1/realtime/calls").get(0);
    assertTrue(offer.headers().get("content-type").startsWith("multipart/form-data; boundary="));
    String forwarded = offer.body().toString();
    assertTrue(forwarded.contains(OFFER), forwarded);
    assertTrue(forwarded.contains("\"model\":\"gpt-realtime-2025-08-28\""), forwarded);
    assertTrue(forwarded.contains("\"instructions\":\"hi\""), forwarded);
    assertFalse(forwarded.contains("\"model\":\"rt\""), forwarded);
  }

  @Test
  void aMultipartFieldOverTheLimitIs413NotAnUpstreamError() throws Exception {
    String token = clientSecret(KEY, new JsonObject().put("model", "rt")).json().getString("value");
    String boundary = "----big-5c1";
    String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"sdp\"\r\n\r\n"
        + "v".repeat(2 * 1024 * 1024) + "\r\n--" + boundary + "--\r\n";
    Reply refused = call(token, "multipart/form-data; boundary=" + boundary, Buffer.buffer(multipart));
    assertEquals(413, refused.status(), refused.body().toString());
    assertFalse(refused.body().toString().contains("Exception"), refused.body().toString());
    assertTrue(healthy.requests("/v1/realtime/calls").isEmpty(), "nothing reached the provider");
  }

  @Test
  void tamperedForeignAndMissingTokensGet401WithoutReachingTheProvider() throws Exception {
    String token = clientSecret(KEY, new JsonObject().put("model", "rt")).json().getString("value");
    char last = token.charAt(token.length() - 2);
    String tampered = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
    String foreign = CallTokens.of(java.util.List.of(new dev.rtrelay.relay.config.Secret(
        "some-other-cluster-secret-0123456789abcdef")), java.time.Clock.systemUTC()).seal(new CallToken("ek_x",
        "healthy", "rt", "webrtc-user", java.util.Optional.empty(), 0, Long.MAX_VALUE / 2));
    for (String bad : new String[] {tampered, foreign, "ek_raw_provider_key", KEY}) {
      Reply refused = call(bad, "application/sdp", Buffer.buffer(OFFER));
      assertEquals(401, refused.status(), bad);
      assertEquals("authentication_error", refused.json().getJsonObject("error").getString("type"));
    }
    assertEquals(0, healthy.requests("/v1/realtime/calls").size());
    assertEquals(401, clientSecret("sk-wrong", new JsonObject().put("model", "rt")).status());
  }

  @Test
  void badRequestsAreClearErrors() throws Exception {
    assertEquals(400, clientSecret(KEY, new JsonObject()).status());
    assertEquals(404, clientSecret(KEY, new JsonObject().put("model", "nope")).status());
    Reply notJson = post(http, relay.port(), "/v1/realtime/client_secrets", Map.of("Authorization", "Bearer " + KEY),
        Buffer.buffer("model=rt"));
    assertEquals(400, notJson.status());
    String token = clientSecret(KEY, new JsonObject().put("model", "rt")).json().getString("value");
    assertEquals(415, call(token, "text/plain", Buffer.buffer(OFFER)).status());
    Reply get = http.request(HttpMethod.GET, relay.port(), "127.0.0.1", "/v1/realtime/calls")
        .compose(r -> r.send().map(resp -> new Reply(resp.statusCode(), resp.headers(), Buffer.buffer())))
        .await(5, TimeUnit.SECONDS);
    assertEquals(405, get.status());
  }

  @Test
  void secretsAndCallsCountAgainstTheKeysRpmLimit() throws Exception {
    Reply first = clientSecret(RATED_KEY, new JsonObject().put("model", "rt"));
    assertEquals(200, first.status());
    assertEquals(201, call(first.json().getString("value"), "application/sdp", Buffer.buffer(OFFER)).status());
    Reply third = clientSecret(RATED_KEY, new JsonObject().put("model", "rt"));
    assertEquals(429, third.status());
    assertTrue(third.headers().contains("retry-after"));
  }
}
