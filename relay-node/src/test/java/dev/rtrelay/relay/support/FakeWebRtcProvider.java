package dev.rtrelay.relay.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider's WebRTC sign-in endpoints for tests, on a real loopback HTTP server: {@code /v1/realtime/client_secrets}
 * issues {@code ek_...} keys (or fails with a fixed status) and {@code /v1/realtime/calls} answers an offer made with
 * an issued key with 201, a {@code Location} and a fixed SDP answer. Every request is recorded as received.
 */
public final class FakeWebRtcProvider {
  public static final String ANSWER = "v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\ns=fake answer\r\nt=0 0\r\n";

  public record Request(String path, MultiMap headers, Buffer body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Set<String> issued = ConcurrentHashMap.newKeySet();
  private final AtomicInteger calls = new AtomicInteger();
  private volatile int secretStatus = 200;

  private FakeWebRtcProvider(Vertx vertx) {
    server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      requests.add(new Request(request.path(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), body));
      switch (request.path()) {
        case "/v1/realtime/client_secrets" -> {
          if (secretStatus != 200) {
            request.response().setStatusCode(secretStatus).putHeader("content-type", "application/json")
                .end("{\"error\":{\"message\":\"fake refusal " + secretStatus + "\"}}");
            return;
          }
          String key = "ek_fake_" + issued.size() + "_" + System.nanoTime();
          issued.add(key);
          JsonObject session = new JsonObject(body).getJsonObject("session");
          request.response().putHeader("content-type", "application/json").end(new JsonObject()
              .put("value", key)
              .put("expires_at", Instant.now().getEpochSecond() + 60)
              .put("session", session).encode());
        }
        case "/v1/realtime/calls" -> {
          String auth = request.getHeader("authorization");
          if (auth == null || !issued.contains(auth.substring("Bearer ".length()))) {
            request.response().setStatusCode(401).end("{\"error\":{\"message\":\"bad ephemeral key\"}}");
            return;
          }
          request.response().setStatusCode(201)
              .putHeader("location", "/v1/realtime/calls/rtc_fake_" + calls.incrementAndGet())
              .putHeader("content-type", "application/sdp")
              .putHeader("x-provider-internal", "not for clients")
              .end(ANSWER);
        }
        default -> request.response().setStatusCode(404).end();
      }
    }));
  }

  public static Future<FakeWebRtcProvider> start(Vertx vertx) {
    FakeWebRtcProvider fake = new FakeWebRtcProvider(vertx);
    return fake.server.listen(0, "127.0.0.1").map(s -> fake);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Makes client_secrets answer with this status from now on (200 restores normal service). */
  public void failSecretsWith(int status) {
    secretStatus = status;
  }

  public List<Request> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  public Future<Void> close() {
    return server.close();
  }
}
