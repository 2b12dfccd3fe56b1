package dev.rtrelay.relay.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.config.LoggedEventTypes;
import dev.rtrelay.relay.cost.DefaultPrices;
import dev.rtrelay.relay.cost.ResponseBill;
import dev.rtrelay.relay.cost.SessionCost;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Envelope content, filtering, redaction, ordering and usage totals, fed with real frames. */
class SessionEventLogTest {
  /** Keeps what a session offers; refuses after {@code capacity} to exercise drop counting. */
  private static final class ListSink implements EventSink {
    final List<JsonObject> records = new ArrayList<>();
    final int capacity;

    ListSink(int capacity) {
      this.capacity = capacity;
    }

    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public boolean offer(String sessionId, byte[] envelope) {
      if (records.size() >= capacity) {
        return false;
      }
      JsonObject record = new JsonObject(Buffer.buffer(envelope));
      assertEquals(sessionId, record.getString("session_id"), "the Kafka key is the session id");
      records.add(record);
      return true;
    }

    List<String> eventTypes() {
      return records.stream().filter(r -> r.getString("kind").equals("event"))
          .map(r -> r.getString("event_type")).toList();
    }
  }

  private static final String AUDIO_B64 = Base64.getEncoder().encodeToString(new byte[960]);

  private static SessionEventLog log(ListSink sink, LoggedEventTypes types, boolean logAudio) {
    return new SessionEventLog(new SessionInfo("rs_1", "relay-a", "gpt-realtime", "gpt-realtime#0", "team-a",
        Optional.of("team-1")), EventLogSettings.of(types, logAudio, 1000, 1 << 24, 512 * 1024), sink, () -> 42L);
  }

  private static WebSocketFrame text(String json) {
    return WebSocketFrame.textFrame(json, true);
  }

  /** What the relay session does with a provider message: log it, and bill it when it is a response.done. */
  private static void upstream(SessionEventLog log, SessionCost cost, String json) {
    Buffer message = Buffer.buffer(json);
    String type = MessageType.of(message);
    if (type == null) {
      return;
    }
    log.onMessage(false, type, message);
    if (type.equals("response.done")) {
      ResponseBill bill = cost.onResponseDone(message);
      if (bill != null) {
        log.responseBilled(bill);
      }
    }
  }

  private static void session(SessionEventLog log) {
    SessionCost cost = new SessionCost(DefaultPrices.forModel("gpt-realtime"));
    log.opened(new ClientInfo("127.0.0.1", Optional.empty(), Optional.of("test-agent"), Optional.of("realtime"),
        "bearer"));
    upstream(log, cost, "{\"type\":\"session.created\",\"session\":{\"id\":\"s\"}}");
    log.onClientFrame( text("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + AUDIO_B64 + "\"}"));
    log.onClientFrame( text("{\"event_id\":\"e1\",\"type\":\"response.create\"}"));
    upstream(log, cost, "{\"type\":\"response.output_audio.delta\",\"delta\":\"" + AUDIO_B64 + "\"}");
    upstream(log, cost, "{\"type\":\"response.audio.delta\",\"delta\":\"" + AUDIO_B64 + "\"}");
    upstream(log, cost, responseDone(10, 5, 2, 7, 3, 4, 1, "input_token_details"));
    upstream(log, cost, responseDone(20, 6, 0, 15, 5, 3, 3, "input_tokens_details"));
    log.onClientFrame( WebSocketFrame.binaryFrame(Buffer.buffer(new byte[] {1, 2}), true));
    log.closed(new SessionEventLog.Totals("client", 1000, "bye", 1234, 3, 300, 6, 600), cost);
  }

  private static String responseDone(int in, int out, int cached, int inText, int inAudio, int outText, int outAudio,
      String inDetailsName) {
    return new JsonObject().put("type", "response.done").put("response", new JsonObject().put("id", "r")
        .put("usage", new JsonObject().put("total_tokens", in + out).put("input_tokens", in).put("output_tokens", out)
            .put(inDetailsName, new JsonObject().put("cached_tokens", cached).put("text_tokens", inText)
                .put("audio_tokens", inAudio))
            .put("output_token_details", new JsonObject().put("text_tokens", outText).put("audio_tokens", outAudio))))
        .encode();
  }

  @Test
  void defaultTypesLogSessionCreatedResponseCreateAndResponseDoneOnly() {
    ListSink sink = new ListSink(100);
    session(log(sink, LoggedEventTypes.DEFAULT, false));
    assertEquals(List.of("session.created", "response.create", "response.done", "response.done"), sink.eventTypes());
  }

  @Test
  void starLogsEveryTextEventAndAListLogsExactlyThose() {
    ListSink all = new ListSink(100);
    session(log(all, new LoggedEventTypes(true, Set.of()), false));
    assertEquals(List.of("session.created", "input_audio_buffer.append", "response.create",
        "response.output_audio.delta", "response.audio.delta", "response.done", "response.done"), all.eventTypes());
    ListSink some = new ListSink(100);
    session(log(some, new LoggedEventTypes(false, Set.of("response.audio.delta")), false));
    assertEquals(List.of("response.audio.delta"), some.eventTypes());
  }

  @Test
  void envelopesCarryTheSchemaAndSeqIsStrictlyIncreasingFromOpenedToClosed() {
    ListSink sink = new ListSink(100);
    session(log(sink, LoggedEventTypes.DEFAULT, false));
    JsonObject opened = sink.records.get(0);
    assertEquals("session.opened", opened.getString("kind"));
    assertEquals(1, opened.getInteger("schema"));
    assertEquals("relay-a", opened.getString("node_id"));
    assertEquals("gpt-realtime#0", opened.getString("deployment"));
    assertEquals("team-a", opened.getString("key_alias"));
    assertEquals("team-1", opened.getString("team_id"));
    assertEquals(42L, opened.getLong("ts_us"));
    assertEquals("test-agent", opened.getJsonObject("client").getString("user_agent"));
    assertEquals("realtime", opened.getJsonObject("client").getString("subprotocol"));
    for (int i = 0; i < sink.records.size(); i++) {
      assertEquals(i, sink.records.get(i).getLong("seq"));
    }
    JsonObject created = sink.records.get(1);
    assertEquals("upstream_to_client", created.getString("direction"));
    assertEquals("s", created.getJsonObject("event").getJsonObject("session").getString("id"));
    assertEquals("client_to_upstream", sink.records.get(2).getString("direction"));
    assertEquals("session.closed", sink.records.get(sink.records.size() - 1).getString("kind"));
  }

  /** Audio events skip the JSON generator; every envelope must still read the same, fields in documented order. */
  @Test
  void everyEnvelopeHasTheDocumentedFieldOrderAndEscapedSessionFacts() {
    ListSink sink = new ListSink(100);
    session(new SessionEventLog(new SessionInfo("rs_\"1", "relay-\\a", "gpt-r\u00e9altime", "d#0", "key\n",
        Optional.empty()), EventLogSettings.of(new LoggedEventTypes(true, Set.of()), false, 1000, 1 << 24, 512 * 1024), sink, () -> 7L));
    assertTrue(sink.eventTypes().containsAll(List.of("session.created", "input_audio_buffer.append",
        "response.output_audio.delta")));
    for (JsonObject record : sink.records) {
      assertEquals(List.of("schema", "kind", "session_id", "seq", "node_id", "ts_us", "model", "deployment",
          "key_alias", "team_id"), new ArrayList<>(record.fieldNames()).subList(0, 10), record.encode());
      assertEquals("relay-\\a", record.getString("node_id"));
      assertEquals("gpt-r\u00e9altime", record.getString("model"));
      assertEquals("key\n", record.getString("key_alias"));
      assertEquals(7L, record.getLong("ts_us"));
      assertTrue(record.containsKey("team_id") && record.getValue("team_id") == null);
    }
    JsonObject append = sink.records.stream().filter(r -> "input_audio_buffer.append".equals(r.getString("event_type")))
        .findFirst().orElseThrow();
    assertEquals(List.of("direction", "event_type", "event"), new ArrayList<>(append.fieldNames()).subList(10, 13));
    assertEquals(new JsonObject().put("type", "input_audio_buffer.append").put("audio", 960),
        append.getJsonObject("event"));
  }

  @Test
  void anEventOverTheSizeLimitIsRecordedAsTypeAndSizeInItsPlaceAndCounted() {
    ListSink sink = new ListSink(100);
    int limit = 4096;
    SessionEventLog log = new SessionEventLog(new SessionInfo("rs_1", "relay-a", "m", "m#0", "k", Optional.empty()),
        EventLogSettings.of(new LoggedEventTypes(true, Set.of()), false, 1000, 1 << 24, limit), sink, () -> 1L);
    log.opened(new ClientInfo("127.0.0.1", Optional.empty(), Optional.empty(), Optional.empty(), "bearer"));
    String instructions = "x".repeat(limit);
    log.onClientFrame(text(new JsonObject().put("type", "session.update").put("session",
        new JsonObject().put("instructions", instructions)).encode()));
    // An append far over the limit is small once its audio is replaced by its length: recorded whole.
    log.onClientFrame(text("{\"type\":\"input_audio_buffer.append\",\"audio\":\""
        + Base64.getEncoder().encodeToString(new byte[limit * 4]) + "\"}"));
    log.onClientFrame(text("{\"type\":\"response.create\"}"));
    log.closed(new SessionEventLog.Totals("client", 1000, "", 1, 3, 300, 0, 0),
        new SessionCost(DefaultPrices.forModel("m")));

    JsonObject update = sink.records.get(1);
    assertEquals("session.update", update.getString("event_type"));
    assertEquals(new JsonObject().put("type", "session.update"), update.getJsonObject("event"));
    assertTrue(update.getInteger("event_truncated_bytes") > limit, update.encode());
    assertFalse(update.encode().contains(instructions));
    assertEquals(limit * 4, sink.records.get(2).getJsonObject("event").getInteger("audio"));
    assertFalse(sink.records.get(2).containsKey("event_truncated_bytes"));
    assertEquals("response.create", sink.records.get(3).getString("event_type"));
    JsonObject closed = sink.records.get(4);
    assertEquals(1, closed.getInteger("truncated_events"));
    assertEquals(0, closed.getInteger("dropped_events"));
    for (int i = 0; i < sink.records.size(); i++) {
      assertEquals(i, sink.records.get(i).getLong("seq"), "a truncated record keeps its place");
    }
  }

  @Test
  void closedEnvelopeSumsUsageOfEveryResponseDoneInBothSpellings() {
    ListSink sink = new ListSink(100);
    session(log(sink, new LoggedEventTypes(false, Set.of("session.created")), false));
    JsonObject closed = sink.records.get(sink.records.size() - 1);
    assertEquals("client", closed.getString("closed_by"));
    assertEquals(1000, closed.getInteger("close_code"));
    assertEquals("bye", closed.getString("close_reason"));
    assertEquals(1234, closed.getLong("duration_ms"));
    assertEquals(600, closed.getJsonObject("bytes").getLong("upstream_to_client"));
    JsonObject usage = closed.getJsonObject("usage");
    assertEquals(2, usage.getLong("responses"));
    assertEquals(30, usage.getLong("input_tokens"));
    assertEquals(11, usage.getLong("output_tokens"));
    assertEquals(41, usage.getLong("total_tokens"));
    assertEquals(2, usage.getLong("cached_tokens"));
    assertEquals(22, usage.getLong("input_text_tokens"));
    assertEquals(8, usage.getLong("input_audio_tokens"));
    assertEquals(7, usage.getLong("output_text_tokens"));
    assertEquals(4, usage.getLong("output_audio_tokens"));
    // gpt-realtime: text in 4, cached 0.4, audio in 32, text out 16, audio out 64 USD per 1M tokens.
    // Response 1: 5 text + 2 cached text, 3 audio in, 4 text + 1 audio out; response 2: 15 text, 5 audio, 3 + 3 out.
    // (5*4 + 2*0.4 + 3*32 + 4*16 + 1*64 + 15*4 + 5*32 + 3*16 + 3*64) / 1e6
    assertUsd("0.0007048", closed.getJsonObject("cost").getValue("total"));
    List<JsonObject> billed = sink.records.stream().filter(r -> r.getString("kind").equals("response.usage")).toList();
    assertEquals(2, billed.size(), "one response.usage per response.done, although response.done is not logged");
    assertEquals(2, billed.get(0).getJsonObject("usage").getLong("cached_text_tokens"));
    assertUsd("0.0002448", billed.get(0).getJsonObject("cost").getValue("total"));
    assertUsd("0.0007048", billed.get(1).getValue("session_cost_usd"));
  }

  private static void assertUsd(String expected, Object actual) {
    assertEquals(0, new BigDecimal(expected).compareTo(new BigDecimal(String.valueOf(actual))),
        "expected " + expected + " USD, got " + actual);
  }

  @Test
  void audioIsReplacedByItsByteLengthUnlessLogAudio() {
    ListSink redacted = new ListSink(100);
    session(log(redacted, new LoggedEventTypes(true, Set.of()), false));
    for (JsonObject r : redacted.records) {
      assertFalse(r.encode().contains(AUDIO_B64), "no audio payload in " + r.encode());
    }
    JsonObject append = redacted.records.get(2).getJsonObject("event");
    assertEquals(960, append.getInteger("audio"));
    assertEquals(960, redacted.records.get(4).getJsonObject("event").getInteger("delta"));
    assertEquals(960, redacted.records.get(5).getJsonObject("event").getInteger("delta"));
    ListSink kept = new ListSink(100);
    session(log(kept, new LoggedEventTypes(true, Set.of()), true));
    assertEquals(AUDIO_B64, kept.records.get(2).getJsonObject("event").getString("audio"));
  }

  @Test
  void fragmentedTextMessageIsLoggedOnceWhole() {
    ListSink sink = new ListSink(100);
    SessionEventLog log = log(sink, new LoggedEventTypes(true, Set.of()), false);
    log.onClientFrame( WebSocketFrame.textFrame("{\"type\":\"session.upd", false));
    log.onClientFrame( WebSocketFrame.continuationFrame(Buffer.buffer("ate\",\"session\":", StandardCharsets.UTF_8.name()),
        false));
    log.onClientFrame( WebSocketFrame.continuationFrame(Buffer.buffer("{\"instructions\":\"hi\"}}"), true));
    assertEquals(List.of("session.update"), sink.eventTypes());
    assertEquals("hi", sink.records.get(0).getJsonObject("event").getJsonObject("session").getString("instructions"));
  }

  @Test
  void malformedTextIsForwardedButNotLoggedAndSeqHasNoGap() {
    ListSink sink = new ListSink(100);
    SessionEventLog log = log(sink, new LoggedEventTypes(true, Set.of()), false);
    log.onClientFrame( text("{\"type\":\"x\",\"broken\":"));
    log.onClientFrame( text("not json"));
    log.onClientFrame( text("{\"type\":\"ok\"}"));
    assertEquals(List.of("ok"), sink.eventTypes());
    assertEquals(0, sink.records.get(0).getLong("seq"));
  }

  @Test
  void refusedRecordsAreCountedInTheClosedEnvelope() {
    ListSink sink = new ListSink(3);
    SessionEventLog log = log(sink, new LoggedEventTypes(true, Set.of()), false);
    for (int i = 0; i < 5; i++) {
      log.onClientFrame( text("{\"type\":\"t" + i + "\"}"));
    }
    assertEquals(2, log.droppedEvents());
  }

  @Test
  void typeIsReadWhereverItStandsAndOnlyAtTopLevel() {
    assertEquals("a", EventJson.type("{\"type\":\"a\",\"x\":1}".getBytes(StandardCharsets.UTF_8)));
    assertEquals("b", EventJson.type("{\"item\":{\"type\":\"nested\"},\"type\":\"b\"}".getBytes(StandardCharsets.UTF_8)));
    assertNull(EventJson.type("{\"item\":{\"type\":\"nested\"}}".getBytes(StandardCharsets.UTF_8)));
    assertNull(EventJson.type("[1,2]".getBytes(StandardCharsets.UTF_8)));
    assertNull(EventJson.type("garbage".getBytes(StandardCharsets.UTF_8)));
    assertEquals("fast", EventJson.type(Buffer.buffer("{\"type\":\"fast\",\"audio\":\"AAAA\"}")));
    assertEquals("a\"b", EventJson.type(Buffer.buffer("{\"type\":\"a\\\"b\"}")), "escapes take the parser path");
    assertEquals("spaced", EventJson.type(Buffer.buffer("{ \"type\" : \"spaced\" }")));
    assertNull(EventJson.type(Buffer.buffer("{\"type\":\"unterminated")));
    assertTrue(EventJson.base64Bytes("AAAA".toCharArray(), 0, 4) == 3);
    assertTrue(EventJson.base64Bytes("AA==".toCharArray(), 0, 4) == 1);
  }
}
