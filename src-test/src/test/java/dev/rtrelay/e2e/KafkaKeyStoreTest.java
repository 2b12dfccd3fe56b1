package dev.rtrelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.e2e.kafka.KafkaBroker;
import dev.rtrelay.metrics.NodeMetrics;
import dev.rtrelay.relay.RelayNode;
import dev.rtrelay.relay.ServerOptions;
import dev.rtrelay.relay.config.ConfigLoader;
import dev.rtrelay.relay.config.RelayConfig;
import dev.rtrelay.relay.keys.KafkaKeyStore;
import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.OnEventLoop;
import dev.rtrelay.relay.support.RecordingClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, item 2: keys and teams made through the management API kept in a compacted Kafka topic. A key made on one
 * relay is in force on another within a second; a relay started afterwards (or restarted) has every key from Kafka
 * alone; a deletion reaches every relay. The topic holds digests, never keys.
 */
class KafkaKeyStoreTest {
  private static final String MASTER = "sk-key-store-master-3c4d5e";
  private static final String TOPIC = "rtrelay-keys-test";
  @TempDir static Path tmp;
  private static KafkaBroker kafka;
  private static FakeUpstream upstream;
  private static Vertx plain;
  private static final List<Running> relays = new ArrayList<>();

  /** One relay node with its own Vert.x instance and its own store, as separate processes would have. */
  private record Running(Vertx vertx, RelayNode node, int management, KafkaKeyStore store) {
    void stop() throws Exception {
      node.close().await(10, TimeUnit.SECONDS);
      store.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaBroker.start(tmp.resolve("kafka"));
    plain = Vertx.vertx();
    upstream = FakeUpstream.echo(plain).await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Running r : relays) {
      r.stop();
    }
    plain.close().await(10, TimeUnit.SECONDS);
    kafka.close();
  }

  private static Running relay() throws Exception {
    RelayConfig config = new ConfigLoader(n -> null).parse("""
        model_list:
          - model_name: voice
            litellm_params: {model: openai/gpt-realtime, api_key: sk-provider-1, api_base: %s}
            model_info: {mode: realtime}
        general_settings:
          master_key: %s
        """.formatted(upstream.baseUrl(), MASTER), "test config");
    Vertx vertx = Vertx.vertx();
    KafkaKeyStore store = KafkaKeyStore.start(vertx, kafka.bootstrap(), TOPIC, Duration.ofSeconds(30))
        .await(40, TimeUnit.SECONDS);
    RelayNode node = RelayNode.start(vertx, config, ServerOptions.plain("127.0.0.1", 0, 1), false, new NodeMetrics(),
        store).await(20, TimeUnit.SECONDS);
    int management = node.startManagement("127.0.0.1", 0).await(10, TimeUnit.SECONDS);
    Running running = new Running(vertx, node, management, store);
    relays.add(running);
    return running;
  }

  private static JsonObject admin(Running relay, String path, String body) throws Exception {
    HttpClient http = plain.createHttpClient();
    try {
      RequestOptions options = new RequestOptions().setMethod(body == null ? HttpMethod.GET : HttpMethod.POST)
          .setHost("127.0.0.1").setPort(relay.management()).setURI(path)
          .putHeader("Authorization", "Bearer " + MASTER);
      Buffer answer = OnEventLoop.call(plain, () -> http.request(options)
          .compose(req -> body == null ? req.send() : req.send(body))
          .compose(resp -> resp.body().map(b -> {
            assertEquals(200, resp.statusCode(), path + ": " + b);
            return b;
          }))).await(15, TimeUnit.SECONDS);
      return answer.toJsonObject();
    } finally {
      http.close();
    }
  }

  /** 101 when the relay admits a session with this key, else the refusal's status. */
  private static int admits(Running relay, String key) throws Exception {
    WebSocketClient client = plain.createWebSocketClient();
    try {
      WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(relay.node().port())
          .setURI("/v1/realtime?model=voice").addHeader("Authorization", "Bearer " + key))
          .await(10, TimeUnit.SECONDS);
      ws.close();
      return 101;
    } catch (Exception e) {
      Throwable cause = e instanceof UpgradeRejectedException ? e : e.getCause();
      if (cause instanceof UpgradeRejectedException rejected) {
        return rejected.getStatus();
      }
      throw e;
    } finally {
      client.close();
    }
  }

  @Test
  void aKeyMadeOnOneRelayIsInForceOnEveryRelayAndOnOneStartedLater() throws Exception {
    Running a = relay();
    Running b = relay();
    JsonObject team = admin(a, "/team/new", "{\"team_id\": \"voice-agents\", \"metadata\": {\"cost_center\": \"7\"}}");
    assertEquals("voice-agents", team.getString("team_id"));
    JsonObject made = admin(a, "/key/generate", "{\"key_alias\": \"shared-1\", \"team_id\": \"voice-agents\", "
        + "\"rpm_limit\": 100}");
    String key = made.getString("key");
    assertEquals(101, admits(a, key), "in force on the relay that made it as soon as it answered");
    long madeAt = System.nanoTime();
    RecordingClient.await(() -> {
      try {
        return admits(b, key) == 101;
      } catch (Exception e) {
        return false;
      }
    }, "the other relay admits the key");
    long reachedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - madeAt);
    System.out.println("KafkaKeyStoreTest: the key was in force on the other relay " + reachedMillis + " ms after "
        + "the first relay answered");
    assertTrue(reachedMillis < 5_000, "reached the other relay in " + reachedMillis + " ms");

    // A relay started now reads every key and team from Kafka alone.
    Running c = relay();
    assertEquals(101, admits(c, key));
    assertEquals("7", admin(c, "/team/info?team_id=voice-agents", null).getJsonObject("team_info")
        .getJsonObject("metadata").getString("cost_center"));

    // An update and a deletion made on the newest relay reach the first.
    admin(c, "/key/update", "{\"key\": \"shared-1\", \"rpm_limit\": 5}");
    RecordingClient.await(() -> {
      try {
        return admin(a, "/key/info?key=shared-1", null).getJsonObject("info").getInteger("rpm_limit") == 5;
      } catch (Exception e) {
        return false;
      }
    }, "the update reached the first relay");
    admin(c, "/key/delete", "{\"key_aliases\": [\"shared-1\"]}");
    RecordingClient.await(() -> {
      try {
        return admits(a, key) == 401 && admits(b, key) == 401;
      } catch (Exception e) {
        return false;
      }
    }, "every relay refuses the deleted key");

    // The topic is compacted and holds digests only.
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    try (Admin kafkaAdmin = Admin.create(config)) {
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
      assertEquals("compact", kafkaAdmin.describeConfigs(List.of(topic)).all().get(10, TimeUnit.SECONDS).get(topic)
          .get("cleanup.policy").value());
    }
    String records = readTopic();
    assertFalse(records.contains(key), "the topic never holds a key");
    assertTrue(records.contains(made.getString("token")), "it holds the digest:\n" + records);
  }

  /** Every record value of the topic, as text. */
  private static String readTopic() {
    Properties config = new Properties();
    config.put("bootstrap.servers", kafka.bootstrap());
    StringBuilder all = new StringBuilder();
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(config,
        new org.apache.kafka.common.serialization.StringDeserializer(),
        new org.apache.kafka.common.serialization.StringDeserializer())) {
      var partition = new org.apache.kafka.common.TopicPartition(TOPIC, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      while (consumer.position(partition) < end) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> all.append(r.key()).append('=').append(r.value())
            .append('\n'));
      }
    }
    return all.toString();
  }
}
