package dev.rtrelay.e2e;

import dev.rtrelay.relay.support.OnEventLoop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README's local cluster, as a developer runs it: {@code scripts/run-cluster} starts a KRaft broker, a logger and two
 * relays in one cluster. A WebRTC client secret from one relay opens a call on the other, a session's events reach
 * Kafka through the logger, and SIGTERM (Ctrl-C) stops everything.
 */
class LocalClusterScriptTest {
  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * A port P with P+1 also free, for --kafka-port (kafka-local puts the KRaft controller on P+1), below the kernel's
   * ephemeral range: there no outgoing connection or port-0 listener can take P+1, or hold it in TIME_WAIT, between
   * this check and the broker's bind.
   */
  private static int freePortPair() throws Exception {
    int low;
    // A reader, not Files.readString: procfs reports size 0, and readString returned only the first byte here.
    try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      low = Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
    }
    java.util.Random random = new java.util.Random();
    for (int i = 0; i < 1000; i++) {
      int port = Math.max(1025, low - 12000) + random.nextInt(Math.min(12000, low - 1025) - 2);
      if (bindable(port) && bindable(port + 1)) {
        return port;
      }
    }
    throw new IllegalStateException("no two free consecutive ports below " + low);
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static double metric(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void runClusterStartsTwoRelaysALoggerAndKafkaThatWorkTogetherAndStopOnSigterm() throws Exception {
    int relayA = freePort();
    int relayB = freePort();
    int kafka = freePortPair();
    int loggerMetrics = freePort();
    int managementA = freePort();
    int managementB = freePort();
    Process script = new ProcessBuilder(List.of(Path.of("..", "scripts", "run-cluster").toString(),
        "--relay-ports", relayA + "," + relayB, "--management-ports", managementA + "," + managementB,
        "--kafka-port", Integer.toString(kafka),
        "--logger-metrics-port", Integer.toString(loggerMetrics))).redirectErrorStream(true).start();
    StringBuilder output = new StringBuilder();
    CountDownLatch ready = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(script.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          if (line.contains("run-cluster: cluster ready")) {
            ready.countDown();
          }
        }
      } catch (Exception ignored) {
        // script ended
      }
    });
    reader.start();
    Vertx vertx = Vertx.vertx();
    try {
      assertTrue(ready.await(240, TimeUnit.SECONDS), "cluster not ready:\n" + output);
      HttpClient http = vertx.createHttpClient();
      JsonObject secret = new JsonObject(post(vertx, http, relayA, "/v1/realtime/client_secrets", "sk-relay-local-dev",
          "application/json", Buffer.buffer("{\"model\":\"gpt-realtime\"}"), 200));
      post(vertx, http, relayB, "/v1/realtime/calls", secret.getString("value"), "application/sdp",
          Buffer.buffer("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"), 201);

      BlockingQueue<String> events = new ArrayBlockingQueue<>(1000);
      ClientWebSocket ws = vertx.createWebSocketClient().webSocket();
      ws.textMessageHandler(events::offer);
      ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(relayB)
          .setURI("/v1/realtime?model=gpt-realtime").addHeader("Authorization", "Bearer sk-relay-local-dev"))
          .await(10, TimeUnit.SECONDS);
      ws.writeTextMessage("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}");
      String type = "";
      while (!type.equals("response.done")) {
        String e = events.poll(20, TimeUnit.SECONDS);
        assertTrue(e != null, "no response.done");
        type = new JsonObject(e).getString("type");
      }
      ws.close().await(5, TimeUnit.SECONDS);
      // opened, session.created, response.create, response.done, response.usage, closed: all written to Kafka.
      double written = -1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (written < 6 && System.nanoTime() < deadline) {
        written = metric(OnEventLoop.call(vertx, () -> http.request(HttpMethod.GET, loggerMetrics, "127.0.0.1",
            "/metrics").compose(r -> r.send().compose(resp -> resp.body()))).await(5, TimeUnit.SECONDS).toString(),
            "rtrelay_logger_records_written_total");
      }
      assertTrue(written >= 6, "records written to Kafka: " + written);
      assertQuietStart(output);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      script.toHandle().destroy(); // SIGTERM, as Ctrl-C would
      boolean stopped = script.waitFor(90, TimeUnit.SECONDS);
      if (!stopped) {
        script.descendants().forEach(ProcessHandle::destroyForcibly);
        script.destroyForcibly();
      }
      reader.join(5_000);
      synchronized (output) {
        assertTrue(stopped, "run-cluster did not stop on SIGTERM:\n" + output);
        assertTrue(output.toString().contains("run-cluster: stopped"), output.toString());
      }
    }
    for (int port : new int[] {relayA, relayB, managementA, managementB, kafka, loggerMetrics}) {
      try (ServerSocket s = new ServerSocket(port)) {
        assertEquals(port, s.getLocalPort(), "port " + port + " is free again: every node stopped");
      }
    }
  }

  /**
   * Issue 23: a clustered start, up to and including a first session, prints nothing a user must act on: no WARN or
   * ERROR line and no SLF4J binding complaint, in any node's log.
   */
  private static void assertQuietStart(StringBuilder output) throws Exception {
    String text;
    synchronized (output) {
      text = output.toString();
    }
    Matcher logs = Pattern.compile("(?m)^  logs +(\\S+)$").matcher(text);
    assertTrue(logs.find(), "run-cluster names its log directory:\n" + text);
    List<Path> files;
    try (var listing = Files.list(Path.of(logs.group(1)))) {
      files = listing.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
    }
    assertEquals(3, files.size(), "a logger's and two relays' logs: " + files);
    for (Path file : files) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        assertFalse(line.contains(" WARN ") || line.contains(" ERROR ") || line.startsWith("SLF4J"),
            file.getFileName() + " has a line a user would have to read:\n" + line);
      }
    }
  }

  private static String post(Vertx vertx, HttpClient http, int port, String path, String bearer, String contentType, Buffer body,
      int expected) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI(path).putHeader("Authorization", "Bearer " + bearer).putHeader("Content-Type", contentType);
    return OnEventLoop.call(vertx, () -> http.request(options).compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> {
          assertEquals(expected, resp.statusCode(), path + ": " + b);
          return b.toString();
        }))).await(15, TimeUnit.SECONDS);
  }
}
