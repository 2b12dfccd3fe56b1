package dev.rtrelay.relay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.LogCapture;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Runs every path that logs (refusals, sessions, upstream failures, closes) and searches all output for keys. */
@ExtendWith(VertxExtension.class)
class LogSecrecyTest {
  @Test
  void noKeyEverAppearsInAnyLogLine(Vertx vertx) throws Exception {
    LogCapture captured = new LogCapture();
    String wrongKey = "sk-wrong-client-key-e5e5";
    try {
      FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
      FakeUpstream refusing = FakeUpstream.rejecting(vertx, 500).await(10, TimeUnit.SECONDS);
      String yaml = TestConfigs.echo(upstream.baseUrl())
          .replace("model_name: other", "model_name: other").replace(
              "model: openai/other-model\n      api_key: " + TestConfigs.PROVIDER_KEY + "\n      api_base: "
                  + upstream.baseUrl(),
              "model: openai/other-model\n      api_key: " + TestConfigs.PROVIDER_KEY + "\n      api_base: "
                  + refusing.baseUrl());
      RelayFixture relay = RelayFixture.start(vertx, yaml).await(10, TimeUnit.SECONDS);
      relay.expectRejection(relay.options("echo").addHeader("Authorization", "Bearer " + wrongKey))
          .await(10, TimeUnit.SECONDS);
      relay.expectRejection(relay.options("other").addHeader("api-key", TestConfigs.TEAM_KEY))
          .await(10, TimeUnit.SECONDS);
      relay.expectRejection(relay.options("other").addHeader("api-key", RelayFixture.MASTER_KEY))
          .await(10, TimeUnit.SECONDS);
      relay.expectRejection(relay.options("echo").addHeader("api-key", TestConfigs.EXPIRED_KEY))
          .await(10, TimeUnit.SECONDS);
      RecordingClient client = relay.record(relay.options("echo")
          .setSubProtocols(List.of("realtime", "openai-insecure-api-key." + TestConfigs.TEAM_KEY)))
          .await(10, TimeUnit.SECONDS);
      client.socket().writeTextMessage("close:4000:bye");
      client.awaitClose();
      relay.close().await(10, TimeUnit.SECONDS);
    } finally {
      captured.close();
    }
    List<String> lines = captured.lines();
    assertTrue(lines.stream().anyMatch(l -> l.contains("refused with 401")), "the refusals were logged: " + lines);
    assertTrue(lines.stream().anyMatch(l -> l.contains("closed by upstream")), "the session close was logged");
    for (String secret : List.of(wrongKey, TestConfigs.TEAM_KEY, TestConfigs.PROVIDER_KEY, TestConfigs.EXPIRED_KEY,
        RelayFixture.MASTER_KEY)) {
      for (String line : lines) {
        assertFalse(line.contains(secret), "secret leaked into log line: " + line);
      }
    }
  }
}
