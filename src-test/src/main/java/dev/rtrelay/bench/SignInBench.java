package dev.rtrelay.bench;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * WebRTC sign-in latency: {@code client_secrets} then {@code calls}, one pair at a time over a kept-alive connection,
 * straight to the probe provider and through the relay, alternating so both see the same machine conditions.
 */
final class SignInBench {
  static final String OFFER = "v=0\r\no=- 7 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";

  /** Round trips in microseconds, per path ("direct", "relay") and request ("client_secrets", "calls"). */
  record Result(Map<String, Histogram> histograms, int pairs) {}

  private SignInBench() {}

  static Result run(int probePort, int relayPort, String relayKey, int pairs) throws Exception {
    // The JDK client, one request at a time on a kept-alive HTTP/1.1 connection per path: nothing asynchronous
    // in the measurement loop.
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    Map<String, Histogram> h = new LinkedHashMap<>();
    for (String name : new String[] {"direct client_secrets", "relay client_secrets", "direct calls", "relay calls"}) {
      h.put(name, new Histogram(TimeUnit.SECONDS.toMicros(10), 3));
    }
    int warmup = Math.max(50, pairs / 5);
    for (int i = 0; i < warmup + pairs; i++) {
      boolean record = i >= warmup;
      pair(http, probePort, "sk-bench-upstream", "direct", record ? h : null);
      pair(http, relayPort, relayKey, "relay", record ? h : null);
    }
    return new Result(h, pairs);
  }

  private static void pair(HttpClient http, int port, String key, String path, Map<String, Histogram> h)
      throws Exception {
    long start = System.nanoTime();
    String secret = post(http, port, "/v1/realtime/client_secrets", key, "application/json", "{\"model\":\"probe\"}",
        200);
    long mid = System.nanoTime();
    JsonObject json = new JsonObject(secret);
    String token = json.containsKey("client_secret") ? json.getJsonObject("client_secret").getString("value")
        : json.getString("value");
    post(http, port, "/v1/realtime/calls", token, "application/sdp", OFFER, 201);
    long end = System.nanoTime();
    if (h != null) {
      h.get(path + " client_secrets").recordValue((mid - start) / 1000);
      h.get(path + " calls").recordValue((end - mid) / 1000);
    }
  }

  private static String post(HttpClient http, int port, String uri, String bearer, String contentType, String body,
      int expected) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + uri))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + bearer).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new IllegalStateException(uri + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }
}
