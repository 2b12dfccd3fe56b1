package dev.rtrelay.e2e;

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
    }
  }

  /** Runs the relay jar against {@code bootstrap}, completes one session, stops the relay; returns the session id. */
  private String runSession(Path jar, String bootstrap) throws Exception {
    Process process = new ProcessBuilder(List.of(java(), "-jar", jar.toString(), "--port", "0", "--kafka", bootstrap))
        .redirectErrorStream(true).start();
    BlockingQueue<Integer> port = new ArrayBlockingQueue<>(1);
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
        }
      } catch (Exception ignored) {
        // process ended
      }
    });
    reader.start();
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
      ws.close().await(5, TimeUnit.SECONDS);
      client.close().await(5, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      // SIGTERM through the handle: Process.destroy() also closes our end of the pipes, losing the shutdown log.
      process.toHandle().destroy();
      assertTrue(process.waitFor(20, TimeUnit.SECONDS), "relay did not stop on SIGTERM");
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
    String log;
    synchronized (output) {
      log = output.toString();
    }
    assertTrue(log.contains("shutting down"), "graceful shutdown on SIGTERM (exit " + process.exitValue() + "):\n" + log);
    assertTrue(!log.contains("sk-relay-local-dev"), "the key never appears in the log");
    return sessionId;
  }
}
