package dev.rtrelay.e2e.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.cluster.ClusterOptions;
import dev.rtrelay.cluster.ClusteredVertx;
import dev.rtrelay.e2e.kafka.KafkaBroker;
import dev.rtrelay.logger.LoggerNode;
import dev.rtrelay.logger.LoggerSettings;
import dev.rtrelay.logger.LoggerVerticle;
import dev.rtrelay.relay.RelayNode;
import dev.rtrelay.relay.ServerOptions;
import dev.rtrelay.relay.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import dev.rtrelay.events.EventBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's shape, for real: three clustered relay nodes (logging default types, {@code "*"}, and a list), logger
 * nodes in the same Hazelcast cluster, and a real Kafka broker in its own JVM. Sessions go through the relays; the
 * assertions read the topic with a plain Kafka consumer. Later tests break things (second logger, Kafka down, logger
 * killed), hence the order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterEventLogTest {
  private static final String TOPIC = "realtime-events";
  private static final String CLUSTER = "rtrelay-test-" + UUID.randomUUID();
  /** One 20 ms PCM16 24 kHz chunk: 960 bytes, 1280 base64 characters. */
  private static final String AUDIO_20MS = java.util.Base64.getEncoder().encodeToString(new byte[960]);

  @TempDir static Path tmp;
  private static KafkaBroker kafka;
  private static Vertx plain;
  private static Vertx loggerVertx;
  private static final List<Vertx> relayVertx = new ArrayList<>();
  private static RelayNode relayDefault;
  private static RelayNode relayAll;
  private static RelayNode relayList;
  private static EnvelopeSchema schema;
  private static String echoBase;

  @BeforeAll
  static void startCluster() throws Exception {
    schema = EnvelopeSchema.load();
    kafka = KafkaBroker.start(tmp.resolve("kafka"));
    plain = Vertx.vertx();
    EchoUpstream echo = EchoUpstream.start(plain).await(10, TimeUnit.SECONDS);
    echoBase = echo.baseUrl();
    // All members join concurrently: Hazelcast joins take seconds each.
    List<Future<Vertx>> joins = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      joins.add(ClusteredVertx.start(ClusterOptions.local(CLUSTER)));
    }
    Future.all(joins).await(120, TimeUnit.SECONDS);
    loggerVertx = joins.get(0).result();
    LoggerNode.start(loggerVertx, LoggerSettings.defaults(kafka.bootstrap())).await(30, TimeUnit.SECONDS);
    for (int i = 1; i < 4; i++) {
      relayVertx.add(joins.get(i).result());
    }
    relayDefault = relay(relayVertx.get(0), echo, "");
    relayAll = relay(relayVertx.get(1), echo, "litellm_settings:\n  logged_real_time_event_types: \"*\"\n");
    relayList = relay(relayVertx.get(2), echo,
        "litellm_settings:\n  logged_real_time_event_types: [response.done, session.created]\n");
  }

  private static RelayNode relay(Vertx vertx, EchoUpstream echo, String logging) throws Exception {
    String yaml = """
        model_list:
          - model_name: gpt-realtime
            litellm_params: {model: simulated/gpt-realtime}
          - model_name: echo
            litellm_params: {model: openai/echo, api_key: sk-upstream-not-used, api_base: %s}
            model_info: {mode: realtime}
        general_settings:
          master_key: %s
        """.formatted(echo.baseUrl(), ClientSession.MASTER_KEY) + logging;
    return RelayNode.start(vertx, new ConfigLoader(n -> null).parse(yaml, "cluster test"),
        ServerOptions.plain("127.0.0.1", 0, 1), true).await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (Vertx v : relayVertx) {
      v.close().await(30, TimeUnit.SECONDS);
    }
    if (loggerVertx != null) {
      loggerVertx.close().await(30, TimeUnit.SECONDS);
    }
    if (plain != null) {
      plain.close().await(10, TimeUnit.SECONDS);
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  /** A text turn then an audio turn against the simulated model; returns the client's two response.done events. */
  private static List<JsonObject> talk(ClientSession s) throws Exception {
    s.nextEvent("session.created");
    s.send(new JsonObject().put("type", "conversation.item.create").put("item", new JsonObject()
        .put("type", "message").put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "input_text").put("text", "hello cluster")))));
    s.send(new JsonObject().put("type", "response.create")
        .put("response", new JsonObject().put("output_modalities", new JsonArray().add("text"))));
    JsonObject first = s.nextEvent("response.done");
    for (int i = 0; i < 3; i++) {
      s.send(new JsonObject().put("type", "input_audio_buffer.append").put("audio", AUDIO_20MS));
    }
    s.send(new JsonObject().put("type", "input_audio_buffer.commit"));
    s.send(new JsonObject().put("type", "response.create"));
    JsonObject second = s.nextEvent("response.done");
    return List.of(first, second);
  }

  private static List<JsonObject> recordsOf(String sessionId) {
    List<JsonObject> records = TopicReader.awaitSession(kafka.bootstrap(), TOPIC, sessionId, TopicReader::closed);
    records.forEach(schema::check);
    return records;
  }

  private static List<String> eventTypes(List<JsonObject> records) {
    return records.stream().filter(r -> "event".equals(r.getString("kind")))
        .map(r -> r.getString("event_type")).toList();
  }

  private static void assertSeqContiguous(List<JsonObject> records) {
    for (int i = 0; i < records.size(); i++) {
      assertEquals(i, records.get(i).getLong("seq"), "seq strictly increasing without gaps, in partition order");
    }
  }

  @Test
  @Order(0)
  void oneLoggerNodeSustainsTheLocalBrokerThroughput() throws Exception {
    // Figures for the record (not asserted): records per second one logger writes into the local broker.
    int batches = 400;
    int perBatch = 250;
    byte[] record = new JsonObject().put("schema", 1).put("kind", "event").put("session_id", "rs_throughput")
        .put("event", new JsonObject().put("type", "input_audio_buffer.append").put("audio", 960)).encode()
        .getBytes(StandardCharsets.UTF_8);
    long sentBefore = loggerStats(loggerVertx).getLong("sent");
    long start = System.nanoTime();
    List<Future<?>> acks = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      EventBatch.Builder batch = new EventBatch.Builder();
      for (int i = 0; i < perBatch; i++) {
        batch.add("rs_throughput_" + (i % 64), record);
      }
      acks.add(relayVertx.get(0).eventBus().request(EventBatch.ADDRESS, batch.take()));
    }
    Future.all(acks).await(60, TimeUnit.SECONDS);
    long total = (long) batches * perBatch;
    waitFor(() -> loggerStats(loggerVertx).getLong("sent") - sentBefore, total, "all records are in Kafka");
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("one logger node: %d records (%d bytes each) into Kafka in %.2f s = %.0f records/s%n", total,
        record.length, seconds, total / seconds);
  }

  @Test
  @Order(1)
  void defaultTypesSessionReachesKafkaWithTheDocumentedEnvelopesAndUsageTotals() throws Exception {
    String sessionId;
    List<JsonObject> done;
    try (ClientSession s = new ClientSession(plain, relayDefault.port(), "gpt-realtime")) {
      sessionId = s.sessionId();
      done = talk(s);
    }
    List<JsonObject> records = recordsOf(sessionId);
    assertSeqContiguous(records);
    assertEquals("session.opened", records.get(0).getString("kind"));
    assertEquals("session.closed", records.get(records.size() - 1).getString("kind"));
    assertEquals(List.of("session.created", "response.create", "response.done", "response.create", "response.done"),
        eventTypes(records));
    for (JsonObject r : records) {
      assertEquals(relayDefault.nodeId(), r.getString("node_id"));
      assertEquals("gpt-realtime", r.getString("model"));
      assertEquals("master", r.getString("key_alias"));
    }
    JsonObject closed = records.get(records.size() - 1);
    assertEquals("client", closed.getString("closed_by"));
    assertEquals(1000, closed.getInteger("close_code"));
    assertEquals(0, closed.getInteger("dropped_events"));
    JsonObject usage = closed.getJsonObject("usage");
    assertEquals(2, usage.getInteger("responses"));
    long input = 0;
    long output = 0;
    long total = 0;
    long cached = 0;
    long inputAudio = 0;
    long outputAudio = 0;
    for (JsonObject d : done) {
      JsonObject u = d.getJsonObject("response").getJsonObject("usage");
      input += u.getLong("input_tokens");
      output += u.getLong("output_tokens");
      total += u.getLong("total_tokens");
      cached += u.getJsonObject("input_token_details").getLong("cached_tokens");
      inputAudio += u.getJsonObject("input_token_details").getLong("audio_tokens");
      outputAudio += u.getJsonObject("output_token_details").getLong("audio_tokens");
    }
    assertEquals(input, usage.getLong("input_tokens"));
    assertEquals(output, usage.getLong("output_tokens"));
    assertEquals(total, usage.getLong("total_tokens"));
    assertEquals(cached, usage.getLong("cached_tokens"));
    assertEquals(inputAudio, usage.getLong("input_audio_tokens"));
    assertEquals(outputAudio, usage.getLong("output_audio_tokens"));
    assertTrue(outputAudio > 0, "the audio turn was billed as audio");
  }

  @Test
  @Order(2)
  void starLogsEveryEventWithAudioReplacedByItsLength() throws Exception {
    String sessionId;
    try (ClientSession s = new ClientSession(plain, relayAll.port(), "gpt-realtime")) {
      sessionId = s.sessionId();
      talk(s);
    }
    List<JsonObject> records = recordsOf(sessionId);
    assertSeqContiguous(records);
    List<String> types = eventTypes(records);
    assertTrue(types.containsAll(List.of("session.created", "conversation.item.create", "input_audio_buffer.append",
        "input_audio_buffer.commit", "response.output_text.delta", "response.output_audio.delta", "response.done")),
        types.toString());
    for (JsonObject r : records) {
      assertFalse(r.encode().contains(AUDIO_20MS), "no base64 audio in Kafka");
      if ("input_audio_buffer.append".equals(r.getString("event_type"))) {
        assertEquals(960, r.getJsonObject("event").getInteger("audio"));
        assertEquals("client_to_upstream", r.getString("direction"));
      }
      if ("response.output_audio.delta".equals(r.getString("event_type"))) {
        assertTrue(r.getJsonObject("event").getInteger("delta") > 0);
      }
    }
  }

  @Test
  @Order(3)
  void aListLogsExactlyTheListedTypes() throws Exception {
    String sessionId;
    try (ClientSession s = new ClientSession(plain, relayList.port(), "gpt-realtime")) {
      sessionId = s.sessionId();
      talk(s);
    }
    assertEquals(List.of("session.created", "response.done", "response.done"), eventTypes(recordsOf(sessionId)));
  }

  private static JsonObject loggerStats(Vertx vertx) throws Exception {
    return vertx.eventBus().<JsonObject>request(LoggerVerticle.STATS_ADDRESS, null).await(10, TimeUnit.SECONDS)
        .body();
  }

  @Test
  @Order(4)
  void withTwoLoggerNodesEveryRecordReachesKafkaExactlyOnce() throws Exception {
    Vertx second = ClusteredVertx.start(ClusterOptions.local(CLUSTER)).await(120, TimeUnit.SECONDS);
    try {
      LoggerNode.start(second, LoggerSettings.defaults(kafka.bootstrap())).await(30, TimeUnit.SECONDS);
      // Wait until the relay's cluster view includes the second logger's consumer (subscriptions propagate async).
      long before = loggerStats(second).getLong("received");
      String sessionId;
      try (ClientSession s = new ClientSession(plain, relayAll.port(), "echo")) {
        sessionId = s.sessionId();
        for (int i = 0; i < 400; i++) {
          s.send(new JsonObject().put("type", "input_audio_buffer.append").put("audio", AUDIO_20MS).put("n", i));
          s.nextText();
        }
      }
      List<JsonObject> records = recordsOf(sessionId);
      Set<Long> seqs = new HashSet<>();
      for (JsonObject r : records) {
        assertTrue(seqs.add(r.getLong("seq")), "seq " + r.getLong("seq") + " written twice");
      }
      assertEquals(802, records.size(), "opened + 400 sent + 400 echoed + closed");
      long max = seqs.stream().mapToLong(Long::longValue).max().orElseThrow();
      assertEquals(records.size() - 1, max, "no gap: every seq from 0 to the last is present once");
      assertTrue(loggerStats(second).getLong("received") > before, "the second logger took part");
    } finally {
      second.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Round-trip times of {@code frames} audio appends through the echo deployment, in microseconds, sorted. */
  private static long[] roundTrips(ClientSession s, int frames) throws Exception {
    long[] micros = new long[frames];
    for (int i = 0; i < frames; i++) {
      String event = new JsonObject().put("type", "input_audio_buffer.append").put("audio", AUDIO_20MS).put("n", i)
          .encode();
      long start = System.nanoTime();
      s.send(event);
      String echoed = s.nextText();
      micros[i] = (System.nanoTime() - start) / 1_000;
      assertEquals(event, echoed, "every audio frame arrives, unchanged and in order");
    }
    Arrays.sort(micros);
    return micros;
  }

  private static long percentile(long[] sorted, double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))];
  }

  @Test
  @Order(5)
  void roundTripFiguresWithLoggingOffDefaultAndStar() throws Exception {
    // Figures for the record (not asserted): same machine, same echo upstream, one session each, back to back.
    String yaml = "model_list:\n  - model_name: echo\n    litellm_params: {model: openai/echo, api_key: k, api_base: "
        + echoBase + "}\n    model_info: {mode: realtime}\ngeneral_settings: {master_key: " + ClientSession.MASTER_KEY
        + "}\n";
    RelayNode off = RelayNode.start(plain, new ConfigLoader(n -> null).parse(yaml, "off"),
        ServerOptions.plain("127.0.0.1", 0, 1)).await(30, TimeUnit.SECONDS);
    try {
      for (Map.Entry<String, RelayNode> relay : List.of(Map.entry("off", off), Map.entry("default", relayDefault),
          Map.entry("*", relayAll))) {
        try (ClientSession s = new ClientSession(plain, relay.getValue().port(), "echo")) {
          roundTrips(s, 300);
          long[] rt = roundTrips(s, 1000);
          System.out.printf("relay round trip, logging %-7s p50 %4d us  p90 %4d us  p99 %5d us%n", relay.getKey(),
              percentile(rt, 0.5), percentile(rt, 0.9), percentile(rt, 0.99));
        }
      }
    } finally {
      off.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(6)
  void kafkaDownDoesNotTouchAudioAndEventsArriveAfterRestart() throws Exception {
    String sessionId;
    long[] up;
    long[] down;
    try (ClientSession s = new ClientSession(plain, relayAll.port(), "echo")) {
      sessionId = s.sessionId();
      roundTrips(s, 200);
      up = roundTrips(s, 500);
      kafka.stop();
      down = roundTrips(s, 500);
      kafka.restart();
    }
    System.out.printf("relay round trip with logging \"*\": Kafka up p50 %d us p90 %d us; Kafka down p50 %d us "
            + "p90 %d us%n", percentile(up, 0.5), percentile(up, 0.9), percentile(down, 0.5),
        percentile(down, 0.9));
    // Same session, same relay, back to back: an outage may not cost more than noise (2x the median plus 1 ms).
    assertTrue(percentile(down, 0.5) <= 2 * percentile(up, 0.5) + 1_000, "median moved with Kafka down");
    List<JsonObject> records = recordsOf(sessionId);
    assertSeqContiguous(records);
    assertEquals(2 + 2 * 1200, records.size(), "every event emitted during the outage arrived after the restart");
  }

  @Test
  @Order(7)
  void aLoggerStoppedRightAfterAcknowledgingStillWritesEveryRecordToKafka() throws Exception {
    Vertx local = Vertx.vertx();
    String sessionId = "rs_flush_" + UUID.randomUUID().toString().replace("-", "");
    int count = 2_000;
    try {
      LoggerNode node = LoggerNode.start(local, LoggerSettings.defaults(kafka.bootstrap())).await(30, TimeUnit.SECONDS);
      for (int batch = 0; batch < count / 500; batch++) {
        EventBatch.Builder builder = new EventBatch.Builder();
        for (int i = 0; i < 500; i++) {
          builder.add(sessionId, new JsonObject().put("session_id", sessionId).put("seq", batch * 500 + i).encode()
              .getBytes(StandardCharsets.UTF_8));
        }
        // Acknowledged once buffered, long before Kafka has it.
        local.eventBus().request(EventBatch.ADDRESS, builder.take()).await(10, TimeUnit.SECONDS);
      }
      // A graceful stop (SIGTERM in logger-node.jar) right away: the buffer must be flushed, not dropped.
      node.close().await(30, TimeUnit.SECONDS);
    } finally {
      local.close().await(30, TimeUnit.SECONDS);
    }
    List<JsonObject> records = TopicReader.awaitSession(kafka.bootstrap(), TOPIC, sessionId, r -> r.size() >= count);
    Set<Long> seqs = new HashSet<>();
    records.forEach(r -> seqs.add(r.getLong("seq")));
    assertEquals(count, seqs.size(), "every acknowledged record is in Kafka");
  }

  @Test
  @Order(8)
  void overTheLoggerBoundTheOldestAreDroppedAndCountedNothingVanishesSilently() throws Exception {
    // A logger that may hold only 300 records during an outage replaces the roomy one for this test.
    Vertx small = ClusteredVertx.start(ClusterOptions.local(CLUSTER)).await(120, TimeUnit.SECONDS);
    LoggerNode.start(small, new LoggerSettings(kafka.bootstrap(), TOPIC, 300, 64L * 1024 * 1024, 50))
        .await(30, TimeUnit.SECONDS);
    loggerVertx.close().await(30, TimeUnit.SECONDS);
    loggerVertx = small;
    String sessionId;
    try (ClientSession s = new ClientSession(plain, relayAll.port(), "echo")) {
      sessionId = s.sessionId();
      roundTrips(s, 10);
      kafka.stop();
      roundTrips(s, 1000);
      waitFor(() -> loggerStats(small).getLong("dropped"), 1, "the logger drops beyond its bound");
      kafka.restart();
    }
    List<JsonObject> records = TopicReader.awaitSession(kafka.bootstrap(), TOPIC, sessionId, TopicReader::closed);
    JsonObject stats = loggerStats(small);
    long emitted = 2 + 2 * 1010;
    Set<Long> distinct = new HashSet<>();
    records.forEach(r -> distinct.add(r.getLong("seq")));
    System.out.printf("logger bound 300: emitted %d, arrived %d, dropped %d%n", emitted, distinct.size(),
        stats.getLong("dropped"));
    assertTrue(stats.getLong("dropped") > 0);
    assertTrue(distinct.size() + stats.getLong("dropped") >= emitted, "every record arrived or was counted as dropped");
    assertTrue(distinct.size() < emitted);
  }

  @Test
  @Order(9)
  void killingTheLoggerMidSessionLeavesSessionsUntouched() throws Exception {
    try (ClientSession s = new ClientSession(plain, relayDefault.port(), "echo")) {
      roundTrips(s, 50);
      long resentBefore = relayDefault.eventStats().resentCount();
      loggerVertx.close().await(30, TimeUnit.SECONDS);
      loggerVertx = null;
      roundTrips(s, 300);
      s.send(new JsonObject().put("type", "response.create").encode());
      s.nextText();
      // The relay holds what no logger took and tries again later; it never waits for it.
      waitFor(() -> relayDefault.eventStats().resentCount() - resentBefore, 1, "relay sends undelivered batches again");
    }
  }

  @Test
  @Order(10)
  void aRecordKafkaRefusesForGoodIsDroppedAndCountedAndTheRecordsAfterItStillArrive() throws Exception {
    Vertx local = Vertx.vertx();
    String sessionId = "rs_large_" + UUID.randomUUID().toString().replace("-", "");
    try {
      LoggerNode.start(local, LoggerSettings.defaults(kafka.bootstrap())).await(30, TimeUnit.SECONDS);
      EventBatch.Builder builder = new EventBatch.Builder();
      for (int seq = 0; seq < 3; seq++) {
        // seq 1 is over the producer's max.request.size (1 MiB): a relay from before max_logged_event_bytes.
        String padding = seq == 1 ? "x".repeat(2 * 1024 * 1024) : "";
        builder.add(sessionId, new JsonObject().put("session_id", sessionId).put("seq", seq).put("pad", padding)
            .encode().getBytes(StandardCharsets.UTF_8));
      }
      local.eventBus().request(EventBatch.ADDRESS, builder.take()).await(10, TimeUnit.SECONDS);
      List<JsonObject> records = TopicReader.awaitSession(kafka.bootstrap(), TOPIC, sessionId, r -> r.size() >= 2);
      assertEquals(List.of(0L, 2L), records.stream().map(r -> r.getLong("seq")).toList());
      JsonObject stats = local.eventBus().<JsonObject>request(LoggerVerticle.STATS_ADDRESS, null)
          .await(10, TimeUnit.SECONDS).body();
      assertEquals(1, stats.getLong("rejected"));
      assertEquals(0, stats.getLong("buffered"), "nothing left behind to retry");
    } finally {
      local.close().await(30, TimeUnit.SECONDS);
    }
  }

  @FunctionalInterface
  private interface Probe {
    long read() throws Exception;
  }

  private static void waitFor(Probe probe, long atLeast, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (probe.read() >= atLeast) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting until " + what);
  }
}
