package dev.rtrelay.e2e;

import dev.rtrelay.relay.support.OnEventLoop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.rtrelay.e2e.kafka.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's main command, as a newcomer runs it: a local Kafka broker and the packaged jar on the embedded config with
 * its in-process logger ({@code scripts/run-local} does exactly this); a client talks to the simulated model, and
 * {@code logger-node.jar tail} prints the session's records from Kafka. Needs the jars: runs under {@code mvn verify}.
 */
class RelayJarTest {
  private static final Pattern LISTENING = Pattern.compile("relay listening on ws://127\\.0\\.0\\.1:(\\d+)/v1/realtime");
  private static final Pattern MANAGEMENT = Pattern.compile("management listening on http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path tmp;

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Test
  void packagedJarRelaysToTheSimulatedModelAndItsEventsCanBeTailedFromKafka() throws Exception {
    Path jar = Path.of("..", "relay-node", "target", "relay-node.jar");
    Path loggerJar = Path.of("..", "logger-node", "target", "logger-node.jar");
    assertTrue(Files.exists(jar) && Files.exists(loggerJar),
        "jars missing: run the tests with 'mvn verify' (it packages them first)");
    try (KafkaBroker kafka = KafkaBroker.start(tmp.resolve("kafka"))) {
      String sessionId = runSession(jar, kafka.bootstrap());
      Process tail = new ProcessBuilder(List.of(java(), "-jar", loggerJar.toString(), "tail", "--kafka",
          kafka.bootstrap(), "--session", sessionId, "--idle-seconds", "5")).redirectError(
          ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(tail.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(tail.waitFor(60, TimeUnit.SECONDS));
      List<String> kinds = out.lines().map(l -> new JsonObject(l).getString("kind")).toList();
      assertEquals("session.opened", kinds.get(0), out);
      assertEquals("session.closed", kinds.get(kinds.size() - 1), out);
      assertTrue(out.lines().allMatch(l -> new JsonObject(l).getString("session_id").equals(sessionId)));
      Process summary = new ProcessBuilder(List.of(java(), "-jar", loggerJar.toString(), "tail", "--kafka",
          kafka.bootstrap(), "--summary", "--idle-seconds", "5")).redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      String table = new String(summary.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(summary.waitFor(60, TimeUnit.SECONDS));
      System.out.print(table);
      assertTrue(table.lines().anyMatch(l -> l.matches("gpt-realtime\\s+\\S+\\s+1\\s+\\d+ / .*")),
          "one timed response of gpt-realtime in tail --summary:\n" + table);
    }
  }

  /** Runs the relay jar against {@code bootstrap}, completes one session, stops the relay; returns the session id. */
  private String runSession(Path jar, String bootstrap) throws Exception {
    RunningJar jar0 = RunningJar.start(List.of(java(), "-jar", jar.toString(), "--port", "0", "--kafka", bootstrap));
    Process process = jar0.process();
    BlockingQueue<Integer> port = jar0.port();
    StringBuilder output = jar0.output();
    Thread reader = jar0.reader();
    Vertx vertx = Vertx.vertx();
    String sessionId;
    try {
      Integer p = port.poll(60, TimeUnit.SECONDS);
      assertTrue(p != null, "relay did not report listening; output:\n" + output);
      WebSocketClient client = vertx.createWebSocketClient();
      BlockingQueue<String> events = new ArrayBlockingQueue<>(100);
      WebSocket ws = client.webSocket().textMessageHandler(events::offer).connect(new WebSocketConnectOptions()
          .setHost("127.0.0.1").setPort(p).setURI("/v1/realtime?model=gpt-realtime")
          .addHeader("Authorization", "Bearer sk-relay-local-dev")).await(10, TimeUnit.SECONDS);
      String first = events.poll(10, TimeUnit.SECONDS);
      assertEquals("session.created", new JsonObject(first).getString("type"));
      sessionId = ws.headers().get("x-rtrelay-session-id");
      // One response, so that the session has a timed one for tail --summary.
      ws.writeTextMessage("{\"type\":\"response.create\"}");
      String type = "";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!type.equals("response.done") && System.nanoTime() < deadline) {
        String next = events.poll(1, TimeUnit.SECONDS);
        type = next == null ? "" : new JsonObject(next).getString("type", "");
      }
      assertEquals("response.done", type, "the simulated model answers");
      ws.close().await(5, TimeUnit.SECONDS);
      client.close().await(5, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      // SIGTERM through the handle: Process.destroy() also closes our end of the pipes, losing the shutdown log.
      process.toHandle().destroy();
      boolean stopped = process.waitFor(20, TimeUnit.SECONDS);
      reader.join(TimeUnit.SECONDS.toMillis(stopped ? 10 : 1));
      synchronized (output) {
        assertTrue(stopped, "relay did not stop on SIGTERM:\n" + output);
      }
    }
    String log;
    synchronized (output) {
      log = output.toString();
    }
    assertTrue(log.contains("shutting down"), "graceful shutdown on SIGTERM (exit " + process.exitValue() + "):\n" + log);
    assertEquals(0, process.exitValue(), "exit status after a clean shutdown on SIGTERM (not 143):\n" + log);
    assertTrue(!log.contains("sk-relay-local-dev"), "the key never appears in the log");
    return sessionId;
  }

  @Test
  void sigtermStopsNewSessionsLetsLiveOnesFinishThenClosesThemWith1001() throws Exception {
    Path jar = Path.of("..", "relay-node", "target", "relay-node.jar");
    Path config = tmp.resolve("drain.yaml");
    Files.writeString(config, """
        model_list:
          - model_name: gpt-realtime
            litellm_params: {model: simulated/gpt-realtime}
        general_settings:
          master_key: sk-drain-test-key
        relay_settings:
          drain_seconds: 3
        """);
    RunningJar running = RunningJar.start(List.of(java(), "-jar", jar.toString(), "--config", config.toString(),
        "--host", "127.0.0.1", "--port", "0"));
    Process process = running.process();
    BlockingQueue<Integer> port = running.port();
    StringBuilder output = running.output();
    Thread reader = running.reader();
    Vertx vertx = Vertx.vertx();
    try {
      Integer p = port.poll(60, TimeUnit.SECONDS);
      assertTrue(p != null, "relay did not report listening; output:\n" + output);
      Integer management = running.managementPort().poll(10, TimeUnit.SECONDS);
      assertTrue(management != null, "relay did not report its management port; output:\n" + output);
      WebSocketClient client = vertx.createWebSocketClient();
      BlockingQueue<String> events = new ArrayBlockingQueue<>(1000);
      java.util.concurrent.CompletableFuture<Short> closeCode = new java.util.concurrent.CompletableFuture<>();
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(p)
          .setURI("/v1/realtime?model=gpt-realtime").addHeader("Authorization", "Bearer sk-drain-test-key");
      io.vertx.core.http.ClientWebSocket ws = client.webSocket();
      ws.textMessageHandler(events::offer).closeHandler(v -> closeCode.complete(ws.closeStatusCode()));
      ws.connect(options).await(10, TimeUnit.SECONDS);
      assertEquals("session.created", new JsonObject(events.poll(10, TimeUnit.SECONDS)).getString("type"));

      io.vertx.core.http.HttpClient http = vertx.createHttpClient();
      String metrics = OnEventLoop.call(vertx, () -> http.request(io.vertx.core.http.HttpMethod.GET, management,
          "127.0.0.1", "/metrics").compose(r -> r.send().compose(resp -> resp.body()))).await(5, TimeUnit.SECONDS)
          .toString();
      for (String series : new String[] {"rtrelay_sessions_live{", "rtrelay_http_requests_total{",
          "jvm_memory_used_bytes", "rtrelay_upstream_connect_seconds_count"}) {
        assertTrue(metrics.contains(series), series + " missing from /metrics:\n" + metrics);
      }

      process.toHandle().destroy(); // SIGTERM
      int readiness = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (readiness != 503 && System.nanoTime() < deadline) {
        readiness = http.request(io.vertx.core.http.HttpMethod.GET, management, "127.0.0.1", "/health/readiness")
            .compose(r -> r.send()).map(io.vertx.core.http.HttpClientResponse::statusCode)
            .await(5, TimeUnit.SECONDS);
      }
      assertEquals(503, readiness, "readiness turns false on SIGTERM");
      try {
        client.connect(options).await(5, TimeUnit.SECONDS);
        throw new AssertionError("a new session was accepted while draining");
      } catch (io.vertx.core.http.UpgradeRejectedException e) {
        assertEquals(503, e.getStatus());
      }
      // The live session is still served while the node drains.
      ws.writeTextMessage(new JsonObject().put("type", "conversation.item.create").put("item", new JsonObject()
          .put("type", "message").put("role", "user").put("content", new io.vertx.core.json.JsonArray()
              .add(new JsonObject().put("type", "input_text").put("text", "still there?")))).encode());
      ws.writeTextMessage("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}");
      String type = "";
      while (!type.equals("response.done")) {
        String e = events.poll(10, TimeUnit.SECONDS);
        assertTrue(e != null, "no response.done while draining");
        type = new JsonObject(e).getString("type");
      }
      assertEquals((short) 1001, closeCode.get(20, TimeUnit.SECONDS), "closed with 1001 at the drain limit");
      assertTrue(process.waitFor(20, TimeUnit.SECONDS), "relay did not exit after draining");
      reader.join(TimeUnit.SECONDS.toMillis(10));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      process.toHandle().destroyForcibly();
    }
    synchronized (output) {
      assertTrue(output.toString().contains("drain limit reached: closing 1 live session(s) with 1001"),
          output.toString());
    }
  }

  /**
   * The shaded jar carries the AWS SDK (service files, endpoint rules, signer) intact: a bedrock/ alias completes a
   * turn against the fake Bedrock runtime, with the client's audio reaching it resampled.
   */
  @Test
  void packagedJarSpeaksToBedrock() throws Exception {
    Path jar = Path.of("..", "relay-node", "target", "relay-node.jar");
    Vertx vertx = Vertx.vertx();
    RunningJar running = null;
    try {
      dev.rtrelay.relay.support.FakeBedrock bedrock = dev.rtrelay.relay.support.FakeBedrock.start(vertx)
          .await(10, TimeUnit.SECONDS);
      Path config = tmp.resolve("bedrock.yaml");
      Files.writeString(config, """
          model_list:
            - model_name: nova
              litellm_params:
                model: bedrock/amazon.nova-2-sonic-v1:0
                aws_region_name: us-east-1
                aws_access_key_id: AKIDJARTEST
                aws_secret_access_key: jar-test-aws-secret
                aws_bedrock_runtime_endpoint: %s
          general_settings:
            master_key: sk-jar-bedrock-key
          """.formatted(bedrock.endpoint()));
      running = RunningJar.start(List.of(java(), "-jar", jar.toString(), "--config", config.toString(), "--host",
          "127.0.0.1", "--port", "0"));
      Integer p = running.port().poll(60, TimeUnit.SECONDS);
      assertTrue(p != null, "relay did not report listening; output:\n" + running.output());
      BlockingQueue<String> events = new ArrayBlockingQueue<>(1000);
      io.vertx.core.http.ClientWebSocket ws = vertx.createWebSocketClient().webSocket();
      ws.textMessageHandler(events::offer);
      ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(p).setURI("/v1/realtime?model=nova")
          .addHeader("Authorization", "Bearer sk-jar-bedrock-key")).await(10, TimeUnit.SECONDS);
      for (int i = 0; i < 5; i++) {
        ws.writeTextMessage(new JsonObject().put("type", "input_audio_buffer.append")
            .put("audio", java.util.Base64.getEncoder().encodeToString(new byte[960])).encode());
      }
      ws.writeTextMessage("{\"type\":\"input_audio_buffer.commit\"}");
      StringBuilder transcript = new StringBuilder();
      String type = "";
      while (!type.equals("response.done")) {
        String e = events.poll(15, TimeUnit.SECONDS);
        assertTrue(e != null, "no response.done from Nova; relay output:\n" + running.output());
        JsonObject event = new JsonObject(e);
        type = event.getString("type");
        if (type.equals("response.output_audio_transcript.delta")) {
          transcript.append(event.getString("delta"));
        }
      }
      assertEquals("Hello there", transcript.toString());
      assertEquals(5 * 960 * 2 / 3, bedrock.streams().get(0).audioBytes, "resampled to 16 kHz");
      assertTrue(bedrock.streams().get(0).headers.get("authorization").contains("Credential=AKIDJARTEST/"));
      ws.close();
    } finally {
      if (running != null) {
        running.process().toHandle().destroyForcibly();
      }
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    synchronized (running.output()) {
      assertTrue(!running.output().toString().contains("jar-test-aws-secret"), "the AWS secret never appears");
    }
  }

  /** A relay jar process whose output is captured; {@link #port} is what it reports listening on. */
  private record RunningJar(Process process, BlockingQueue<Integer> port, BlockingQueue<Integer> managementPort,
      StringBuilder output, Thread reader) {
    /** Starts {@code command} plus a free management port (a fixed default could be taken on a test machine). */
    static RunningJar start(List<String> command) throws Exception {
      List<String> full = new java.util.ArrayList<>(command);
      full.addAll(List.of("--management-port", "0"));
      Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
      BlockingQueue<Integer> port = new ArrayBlockingQueue<>(1);
      BlockingQueue<Integer> managementPort = new ArrayBlockingQueue<>(1);
      StringBuilder output = new StringBuilder();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            synchronized (output) {
              output.append(line).append('\n');
            }
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
              port.offer(Integer.parseInt(m.group(1)));
            }
            Matcher management = MANAGEMENT.matcher(line);
            if (management.find()) {
              managementPort.offer(Integer.parseInt(management.group(1)));
            }
          }
        } catch (Exception ignored) {
          // process ended
        }
      });
      reader.start();
      return new RunningJar(process, port, managementPort, output, reader);
    }

    String log() {
      synchronized (output) {
        return output.toString();
      }
    }
  }
}
