package dev.rtrelay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.config.ConfigLoader;
import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.LogCapture;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.RelayFixture.Rejection;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;

/**
 * Issue 19, item 3: a changed {@code config.yaml} (or SIGHUP) puts keys, models and deployments in force for new
 * sessions without touching live ones; an invalid file is refused with one log line and the old config stays.
 */
@ExtendWith(VertxExtension.class)
class ConfigReloadTest {
  private static final String OLD_KEY = "sk-reload-old-key-4b1d";
  private static final String NEW_KEY = "sk-reload-new-key-9c2e";

  @TempDir
  Path dir;
  private RelayFixture relay;
  private ConfigWatcher watcher;

  @AfterEach
  void stop() throws Exception {
    if (watcher != null) {
      watcher.stop();
    }
    if (relay != null) {
      relay.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static String config(String model, String id, String base, String key, String relaySettings) {
    return """
        model_list:
          - model_name: %s
            litellm_params: {model: openai/gpt-realtime, api_key: sk-provider-1, api_base: %s}
            model_info: {mode: realtime, id: %s}
        general_settings:
          master_key: %s
          virtual_keys:
            - {key_alias: team-voice, key: %s}
        %s
        """.formatted(model, base, id, RelayFixture.MASTER_KEY, key, relaySettings);
  }

  private ConfigWatcher watch(String yaml, long pollMillis) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return new ConfigWatcher(relay.vertx(), relay.node(), file, new ConfigLoader(name -> null),
        relay.node().registry(), yaml.getBytes(StandardCharsets.UTF_8), pollMillis).start();
  }

  private RecordingClient session(String model, String key) throws Exception {
    return relay.record(relay.options(model).addHeader("Authorization", "Bearer " + key))
        .await(10, TimeUnit.SECONDS);
  }

  private Rejection refusal(String model, String key) throws Exception {
    return relay.expectRejection(relay.options(model).addHeader("Authorization", "Bearer " + key))
        .await(10, TimeUnit.SECONDS);
  }

  private static void echoes(RecordingClient client, String text) throws Exception {
    String message = "{\"type\":\"conversation.item.create\",\"text\":\"" + text + "\"}";
    client.socket().writeTextMessage(message);
    assertEquals(message, client.next().text());
  }

  @Test
  void aChangedFileAppliesToNewSessionsAndLiveOnesGoOnUntouched(Vertx vertx) throws Exception {
    FakeUpstream first = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    FakeUpstream second = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    String before = config("voice", "voice-a", first.baseUrl(), OLD_KEY, "");
    relay = RelayFixture.start(vertx, before).await(10, TimeUnit.SECONDS);
    watcher = watch(before, 100);
    RecordingClient live = session("voice", OLD_KEY);
    echoes(live, "before");

    // The model is renamed and moved to another upstream, and the key is replaced.
    Files.writeString(dir.resolve("config.yaml"), config("voice-v2", "voice-b", second.baseUrl(), NEW_KEY, ""));
    RecordingClient.await(() -> scrape("rtrelay_config_reloads_total", "outcome", "applied") == 1, "reload applied");

    echoes(live, "after"); // the live session keeps its key, model and upstream
    assertEquals(1, first.acceptedSockets());
    assertEquals(401, refusal("voice-v2", OLD_KEY).status(), "the removed key admits no new session");
    assertEquals(404, refusal("voice", NEW_KEY).status(), "the removed model admits no new session");
    RecordingClient moved = session("voice-v2", NEW_KEY);
    echoes(moved, "new");
    assertEquals(1, second.acceptedSockets());
    // The session on the removed deployment still counts for a drain; the metrics name only configured deployments.
    assertEquals(2, relay.node().liveSessions());
    assertFalse(relay.scrape().has("rtrelay_sessions_live", "deployment", "voice-a"));
    assertEquals(1.0, relay.scrape().value("rtrelay_sessions_live", "deployment", "voice-b"));
    live.socket().close();
    moved.socket().close();
    RecordingClient.await(() -> relay.node().liveSessions() == 0, "both sessions ended");
  }

  @Test
  void anUnchangedDeploymentKeepsItsLiveSessionCount(Vertx vertx) throws Exception {
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    String before = config("voice", "voice-a", upstream.baseUrl(), OLD_KEY, "");
    relay = RelayFixture.start(vertx, before).await(10, TimeUnit.SECONDS);
    watcher = watch(before, 0);
    RecordingClient live = session("voice", OLD_KEY);
    Files.writeString(dir.resolve("config.yaml"), config("voice", "voice-a", upstream.baseUrl(), NEW_KEY, ""));
    assertTrue(watcher.reload("test", true).await(10, TimeUnit.SECONDS));
    assertEquals(1.0, relay.scrape().value("rtrelay_sessions_live", "deployment", "voice-a"));
    live.socket().close();
    RecordingClient.await(() -> relay.node().liveSessions() == 0, "the session ended");
    assertEquals(0.0, relay.scrape().value("rtrelay_sessions_live", "deployment", "voice-a"));
  }

  @Test
  void anInvalidFileIsRefusedWithOneLineAndTheRunningConfigStays(Vertx vertx) throws Exception {
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    String before = config("voice", "voice-a", upstream.baseUrl(), OLD_KEY, "");
    relay = RelayFixture.start(vertx, before).await(10, TimeUnit.SECONDS);
    watcher = watch(before, 100);
    try (LogCapture log = new LogCapture()) {
      // A typo in a route: the whole file is refused, including its valid new key.
      Files.writeString(dir.resolve("config.yaml"), config("voice", "voice-a", "not a url", NEW_KEY, ""));
      RecordingClient.await(() -> scrape("rtrelay_config_reloads_total", "outcome", "refused") == 1, "refused");
      List<String> lines = log.lines().stream().filter(l -> l.contains("config reload")).toList();
      assertEquals(1, lines.size(), lines.toString());
      assertTrue(lines.get(0).contains("refused, the node keeps its config"), lines.get(0));
      assertFalse(lines.get(0).contains(NEW_KEY) || lines.get(0).contains("sk-provider-1"), "no secret in the line");
    }
    // Checked again and again, the same bad file is not refused again.
    assertTrue(watcher.reload("poll", false).await(10, TimeUnit.SECONDS) == Boolean.FALSE);
    assertEquals(1.0, relay.scrape().value("rtrelay_config_reloads_total", "outcome", "refused"));
    echoes(session("voice", OLD_KEY), "still served");
    assertEquals(401, refusal("voice", NEW_KEY).status());
  }

  @Test
  void sighupReloadsAndRestartOnlySettingsAreNamed(Vertx vertx) throws Exception {
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    String before = config("voice", "voice-a", upstream.baseUrl(), OLD_KEY, "");
    relay = RelayFixture.start(vertx, before).await(10, TimeUnit.SECONDS);
    watcher = watch(before, 0);
    try (LogCapture log = new LogCapture()) {
      Files.writeString(dir.resolve("config.yaml"), config("voice", "voice-a", upstream.baseUrl(), NEW_KEY,
          "relay_settings: {ping_interval_seconds: 7}"));
      Signal.raise(new Signal("HUP"));
      RecordingClient.await(() -> scrape("rtrelay_config_reloads_total", "outcome", "applied") == 1, "applied");
      String line = log.lines().stream().filter(l -> l.contains("config reloaded (SIGHUP)")).findFirst().orElseThrow();
      assertTrue(line.contains("applied only at the next restart: relay_settings"), line);
    }
    echoes(session("voice", NEW_KEY), "new key");
  }

  private double scrape(String name, String... labels) {
    try {
      return relay.scrape().value(name, labels);
    } catch (Exception e) {
      return -1;
    }
  }
}
