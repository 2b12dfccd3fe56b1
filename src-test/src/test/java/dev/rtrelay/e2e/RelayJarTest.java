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
import org.junit.jupiter.api.Test;

/**
 * README's main command, as a newcomer runs it: the packaged jar with no arguments starts on the embedded config and a
 * client talks to the simulated model through it. Needs the jar, so it runs under {@code mvn verify}.
 */
class RelayJarTest {
  private static final Pattern LISTENING = Pattern.compile("relay listening on ws://127\\.0\\.0\\.1:(\\d+)/v1/realtime");

  @Test
  void packagedJarStartsOnTheEmbeddedConfigAndRelaysToTheSimulatedModel() throws Exception {
    Path jar = Path.of("..", "relay-node", "target", "relay-node.jar");
    assertTrue(Files.exists(jar), jar + " is missing: run the tests with 'mvn verify' (it packages the jar first)");
    Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString(), "--port", "0")).redirectErrorStream(true).start();
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
  }
}
