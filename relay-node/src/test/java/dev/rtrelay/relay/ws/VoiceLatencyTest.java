package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.events.ResponseLatency;
import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.PrometheusSamples;
import dev.rtrelay.relay.support.PublishedRecords;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Voice latency: how each response is timed, where the figures show, and latency-based routing on real sockets. */
@ExtendWith(VertxExtension.class)
class VoiceLatencyTest {
  private static final long MS = 1_000_000;
  private final AtomicLong now = new AtomicLong(1_000 * MS);
  private final List<ResponseLatency> sunk = new ArrayList<>();
  private final VoiceLatency latency = new VoiceLatency(now::get, sunk::add);

  private ResponseLatency at(long millis, String type) {
    now.set((1_000 + millis) * MS);
    return latency.upstream(type);
  }

  @Test
  void aServerVadTurnIsTimedFromSpeechStoppedEvenWhenCommittedFollows() {
    at(0, "input_audio_buffer.speech_started");
    at(900, "input_audio_buffer.speech_stopped");
    at(905, "input_audio_buffer.committed");
    at(950, "response.created");
    at(1_210, "response.output_audio_transcript.delta");
    at(1_240, "response.output_audio.delta");
    at(1_300, "response.output_audio.delta");
    ResponseLatency done = at(2_950, "response.done");
    assertEquals(new ResponseLatency(340 * MS, 310 * MS, 2_000 * MS, "speech_stopped"), done);
    assertEquals(List.of(done), sunk);
  }

  @Test
  void aManualTurnIsTimedFromTheCommitOrTheClientsResponseCreate() {
    at(100, "input_audio_buffer.committed");
    latency.client("response.create");
    at(150, "response.created");
    at(400, "response.output_audio.delta");
    assertEquals("committed", at(500, "response.done").turnEnd());
    assertEquals(300 * MS, sunk.get(0).firstAudioNanos());

    now.set(2_000 * MS);
    latency.client("response.create"); // a text turn: no commit
    at(1_020, "response.created");
    at(1_300, "response.output_text.delta");
    ResponseLatency text = at(1_400, "response.done");
    assertEquals(new ResponseLatency(-1, 300 * MS, 380 * MS, "response.create"), text);
  }

  @Test
  void aResponseTheProviderStartedOnItsOwnIsTimedFromItsCreation() {
    at(0, "response.created");
    at(80, "response.audio.delta");
    assertEquals(new ResponseLatency(80 * MS, -1, 90 * MS, "response.created"), at(90, "response.done"));
    assertNull(at(95, "response.done"), "a done without its start is not timed twice");
  }

  @Test
  void theSessionSummaryIsTheMedianAndTheMaximum() {
    long[] audio = {300, 100, 200, 900};
    long start = 0;
    for (long a : audio) {
      at(start, "response.created");
      at(start + a, "response.output_audio.delta");
      at(start + a + 10, "response.done");
      start += 2_000;
    }
    assertEquals(4, latency.summary().responses());
    assertEquals(200, latency.summary().firstAudioP50Millis());
    assertEquals(900, latency.summary().firstAudioMaxMillis());
    assertEquals(-1, latency.summary().firstTextMaxMillis());
  }

  private static String config(String routing, String... deployments) {
    StringBuilder yaml = new StringBuilder("model_list:\n");
    for (int i = 0; i < deployments.length; i++) {
      yaml.append("  - model_name: voice\n    litellm_params: {model: openai/gpt-realtime, api_key: k, api_base: \"")
          .append(deployments[i]).append("\"}\n    model_info: {id: d").append(i).append("}\n");
    }
    return yaml + "router_settings: {routing_strategy: " + routing + "}\ngeneral_settings: {master_key: "
        + RelayFixture.MASTER_KEY + "}\n";
  }

  /** One session, one response; returns the client's own time from response.create to response.done. */
  private static long oneResponse(RelayFixture relay) throws Exception {
    RecordingClient client = relay.record("voice").await(10, TimeUnit.SECONDS);
    long sent = System.nanoTime();
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    client.until("response.done");
    long took = System.nanoTime() - sent;
    client.socket().close().await(5, TimeUnit.SECONDS);
    return took;
  }

  @Test
  void aDelayedFirstAudioShowsInTheMetricsTheUsageRecordAndTheClosedSummary(Vertx vertx) throws Exception {
    FakeUpstream upstream = FakeUpstream.voice(vertx, 150).await(10, TimeUnit.SECONDS);
    PublishedRecords published = PublishedRecords.listen(vertx).await(5, TimeUnit.SECONDS);
    RelayFixture relay = RelayFixture.startPublishing(vertx, config("simple-shuffle", upstream.baseUrl()))
        .await(10, TimeUnit.SECONDS);
    try {
      long clientMillis = TimeUnit.NANOSECONDS.toMillis(oneResponse(relay));
      published.awaitSessionClosed();
      JsonObject timed = published.first("response.usage").getJsonObject("latency_ms");
      System.out.printf("first audio 150 ms after response.create: relay measured %s; the client saw the whole "
          + "response after %d ms%n", timed, clientMillis);
      double firstAudio = timed.getDouble("time_to_first_audio");
      assertTrue(firstAudio >= 150 && firstAudio <= clientMillis + 1, timed.encode());
      assertTrue(timed.getDouble("time_to_first_text") >= 150, timed.encode());
      assertEquals("response.create", timed.getString("turn_end"));
      JsonObject summary = published.first("session.closed").getJsonObject("latency_ms");
      assertEquals(1, summary.getInteger("responses"));
      assertEquals(Math.floor(firstAudio), summary.getJsonObject("time_to_first_audio").getInteger("max"), 1.0);

      PrometheusSamples metrics = relay.scrape();
      assertEquals(1, metrics.value("rtrelay_time_to_first_audio_seconds_count", "model", "voice", "deployment", "d0"));
      double seconds = metrics.value("rtrelay_time_to_first_audio_seconds_sum", "model", "voice", "deployment", "d0");
      assertEquals(firstAudio / 1000, seconds, 0.001);
      assertEquals(1, metrics.value("rtrelay_time_to_first_text_seconds_count", "model", "voice", "deployment", "d0"));
      assertEquals(1, metrics.value("rtrelay_response_duration_seconds_count", "model", "voice", "deployment", "d0"));
    } finally {
      relay.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void latencyBasedRoutingMovesNewSessionsToTheDeploymentThatStayedFast(Vertx vertx) throws Exception {
    FakeUpstream fast = FakeUpstream.voice(vertx, 20).await(10, TimeUnit.SECONDS);
    FakeUpstream slowing = FakeUpstream.voice(vertx, 20).await(10, TimeUnit.SECONDS);
    RelayFixture relay = RelayFixture.start(vertx, config("latency-based-routing", fast.baseUrl(),
        slowing.baseUrl())).await(10, TimeUnit.SECONDS);
    try {
      for (int i = 0; i < 6; i++) {
        oneResponse(relay);
      }
      assertTrue(fast.acceptedSockets() > 0 && slowing.acceptedSockets() > 0,
          "both measured first: " + fast.acceptedSockets() + "/" + slowing.acceptedSockets());
      slowing.firstAudioDelay(300);
      List<String> served = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        int before = slowing.acceptedSockets();
        oneResponse(relay);
        served.add(slowing.acceptedSockets() > before ? "slowing" : "fast");
      }
      System.out.println("after one deployment slowed from 20 to 300 ms: " + served);
      // One slow response is all the router needs to learn: the slowed deployment may still win a pick while its
      // figure is the old 20 ms (the fast one's average wobbles with GC and JIT), but once it has been timed at 300 ms
      // its average is several times the fast one's and no new session goes there again.
      int firstSlow = served.indexOf("slowing");
      assertTrue(firstSlow < 0 || !served.subList(firstSlow + 1, served.size()).contains("slowing"),
          "new sessions should have moved to the fast deployment: " + served);
      assertTrue(served.stream().filter("fast"::equals).count() >= 11, "mostly fast: " + served);
    } finally {
      relay.close().await(10, TimeUnit.SECONDS);
    }
  }
}
