package dev.rtrelay.relay.simulated;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.rtrelay.relay.simulated.EventRecorder.ofType;
import static dev.rtrelay.relay.simulated.EventRecorder.realtime;
import static dev.rtrelay.relay.simulated.EventRecorder.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class SimulatedRealtimeProviderTest {
  private Vertx vertx;
  private SimulatedRealtimeProvider provider;

  @BeforeEach
  void startProvider(VertxTestContext ctx) {
    vertx = Vertx.vertx();
    SimulatedRealtimeProvider.start(vertx, EventRecorder.MAX_BYTES).onComplete(ctx.succeeding(p -> {
      provider = p;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void closeVertx(VertxTestContext ctx) {
    vertx.close().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void gaTextResponseStreamsDeltasThatConcatenateToTheDoneTextAndEchoTheUserText(VertxTestContext ctx) {
    connect(realtime("?model=gpt-sim"))
        .compose(rec -> rec.until("session.created").compose(first -> {
          ctx.verify(() -> {
            assertEquals(List.of("session.created"), types(first), "session.created must be the first event");
            JsonObject session = first.get(0).getJsonObject("session");
            assertTrue(session.getString("id").startsWith("sess_"));
            assertEquals("realtime.session", session.getString("object"));
            assertEquals("realtime", session.getString("type"));
            assertEquals("gpt-sim", session.getString("model"));
            assertEquals(new JsonArray().add("audio"), session.getJsonArray("output_modalities"));
            assertEquals("", session.getString("instructions"));
          });
          rec.send(userText("ping from the test"));
          rec.send(new JsonObject().put("type", "response.create")
              .put("response", new JsonObject().put("output_modalities", new JsonArray().add("text"))));
          return rec.until("response.done");
        }))
        .onComplete(ctx.succeeding(batch -> ctx.verify(() -> {
          assertEquals(List.of("conversation.item.added", "conversation.item.done"), types(batch.subList(0, 2)));
          assertTrue(batch.get(0).getJsonObject("item").getString("id").startsWith("item_"));

          List<JsonObject> deltas = ofType(batch, "response.output_text.delta");
          assertTrue(deltas.size() > 1, "text should arrive in several deltas");
          String streamed = deltas.stream().map(d -> d.getString("delta")).collect(Collectors.joining());
          String done = ofType(batch, "response.output_text.done").get(0).getString("text");
          assertEquals(done, streamed);
          assertTrue(done.contains("ping from the test"), done);
          assertTrue(types(batch).stream().noneMatch(t -> t.contains("audio")), "no audio for a text response");

          String responseId = ofType(batch, "response.created").get(0).getJsonObject("response").getString("id");
          for (JsonObject delta : deltas) {
            assertEquals(responseId, delta.getString("response_id"));
            assertTrue(delta.getString("item_id").startsWith("item_"));
            assertEquals(0, delta.getInteger("output_index"));
            assertEquals(0, delta.getInteger("content_index"));
          }

          JsonObject response = batch.get(batch.size() - 1).getJsonObject("response");
          assertEquals(responseId, response.getString("id"));
          assertEquals("completed", response.getString("status"));
          assertEquals(done, response.getJsonArray("output").getJsonObject(0)
              .getJsonArray("content").getJsonObject(0).getString("text"));
          JsonObject usage = response.getJsonObject("usage");
          assertUsageAddsUp(usage);
          assertEquals(4, usage.getJsonObject("input_token_details").getInteger("text_tokens"),
              "one input token per word of 'ping from the test'");
          assertEquals(0, usage.getJsonObject("output_token_details").getInteger("audio_tokens"));
          assertEventIdsUnique(batch);
          ctx.completeNow();
        })));
  }

  @Test
  void gaAudioResponseStreamsPcm16ChunksWithInterleavedTranscriptAndEndsWithResponseDone(VertxTestContext ctx) {
    connect(realtime(""))
        .compose(rec -> rec.until("session.created").compose(first -> {
          ctx.verify(() -> assertEquals("simulated", first.get(0).getJsonObject("session").getString("model"),
              "model defaults to 'simulated'"));
          rec.send(userText("say something nice"));
          rec.send(new JsonObject().put("type", "response.create"));
          return rec.until("response.done");
        }))
        .onComplete(ctx.succeeding(batch -> ctx.verify(() -> {
          List<JsonObject> response = batch.subList(2, batch.size());
          List<String> expected = new ArrayList<>(List.of(
              "response.created", "response.output_item.added", "response.content_part.added"));
          for (int i = 0; i < SyntheticAudio.CHUNK_COUNT; i++) {
            expected.add("response.output_audio.delta");
            expected.add("response.output_audio_transcript.delta");
          }
          expected.addAll(List.of("response.output_audio.done", "response.output_audio_transcript.done",
              "response.content_part.done", "response.output_item.done", "response.done"));
          assertEquals(expected, types(response));

          int totalBytes = 0;
          for (JsonObject delta : ofType(response, "response.output_audio.delta")) {
            byte[] pcm = Base64.getDecoder().decode(delta.getString("delta"));
            assertEquals(960, pcm.length, "20 ms of PCM16 mono at 24 kHz");
            totalBytes += pcm.length;
          }
          assertEquals(SyntheticAudio.TOTAL_BYTES, totalBytes);
          byte[] firstChunk = Base64.getDecoder().decode(
              ofType(response, "response.output_audio.delta").get(0).getString("delta"));
          assertTrue(maxAbsSample(firstChunk) > 1000, "the chunk should carry an audible tone, not silence");

          String transcript = ofType(response, "response.output_audio_transcript.delta").stream()
              .map(d -> d.getString("delta")).collect(Collectors.joining());
          String done = ofType(response, "response.output_audio_transcript.done").get(0).getString("transcript");
          assertEquals(done, transcript);
          assertTrue(done.contains("say something nice"), done);

          JsonObject part = ofType(response, "response.content_part.done").get(0).getJsonObject("part");
          assertEquals("output_audio", part.getString("type"));
          JsonObject usage = response.get(response.size() - 1).getJsonObject("response").getJsonObject("usage");
          assertUsageAddsUp(usage);
          assertEquals(1, usage.getJsonObject("output_token_details").getInteger("audio_tokens"),
              "100 ms of output audio at 10 tokens per second, rounded up");
          ctx.completeNow();
        })));
  }

  @Test
  void betaHeaderSwitchesToBetaEventNames(VertxTestContext ctx) {
    WebSocketConnectOptions options = realtime("?model=beta-sim").addHeader("OpenAI-Beta", "realtime=v1");
    connect(options)
        .compose(rec -> rec.until("session.created").compose(first -> {
          ctx.verify(() -> {
            JsonObject session = first.get(0).getJsonObject("session");
            assertEquals(new JsonArray().add("text").add("audio"), session.getJsonArray("modalities"));
            assertEquals("pcm16", session.getString("output_audio_format"));
            assertFalse(session.containsKey("type"));
          });
          rec.send(userText("hello beta"));
          rec.send(new JsonObject().put("type", "response.create"));
          return rec.until("response.done").compose(audioBatch -> {
            rec.send(new JsonObject().put("type", "response.create")
                .put("response", new JsonObject().put("modalities", new JsonArray().add("text"))));
            return rec.until("response.done").map(textBatch -> List.of(audioBatch, textBatch));
          });
        }))
        .onComplete(ctx.succeeding(batches -> ctx.verify(() -> {
          List<String> audio = types(batches.get(0));
          assertEquals("conversation.item.created", audio.get(0));
          assertTrue(audio.contains("response.audio.delta"));
          assertTrue(audio.contains("response.audio_transcript.delta"));
          assertTrue(audio.contains("response.audio.done"));
          String transcript = ofType(batches.get(0), "response.audio_transcript.done").get(0)
              .getString("transcript");
          assertTrue(transcript.contains("hello beta"), transcript);

          List<String> text = types(batches.get(1));
          assertTrue(text.contains("response.text.delta"));
          assertTrue(text.contains("response.text.done"));
          assertEquals("text", ofType(batches.get(1), "response.content_part.done").get(0)
              .getJsonObject("part").getString("type"));

          Set<String> gaOnly = Set.of("conversation.item.added", "conversation.item.done",
              "response.output_text.delta", "response.output_text.done", "response.output_audio.delta",
              "response.output_audio.done", "response.output_audio_transcript.delta",
              "response.output_audio_transcript.done");
          for (List<JsonObject> batch : batches) {
            assertTrue(types(batch).stream().noneMatch(gaOnly::contains), "GA names on beta: " + types(batch));
          }
          ctx.completeNow();
        })));
  }

  @Test
  void realtimeSubprotocolIsSelectedWhenOfferedAndNoneOtherwise(VertxTestContext ctx) {
    Checkpoint bothConnections = ctx.checkpoint(2);
    WebSocketConnectOptions offering = realtime("?model=x")
        .setSubProtocols(List.of("openai-insecure-api-key.sk-not-checked", "realtime"));
    connect(offering).compose(rec -> rec.until("session.created").map(rec))
        .onComplete(ctx.succeeding(rec -> ctx.verify(() -> {
          assertEquals("realtime", rec.socket().subProtocol());
          bothConnections.flag();
        })));
    connect(realtime("")).compose(rec -> rec.until("session.created").map(rec))
        .onComplete(ctx.succeeding(rec -> ctx.verify(() -> {
          assertNull(rec.socket().subProtocol());
          bothConnections.flag();
        })));
  }

  @Test
  void malformedOrUnknownEventsYieldErrorEventsAndTheSocketStaysUsable(VertxTestContext ctx) {
    connect(realtime(""))
        .compose(rec -> rec.until("session.created").compose(first -> {
          String sessionId = first.get(0).getJsonObject("session").getString("id");
          rec.send(new JsonObject().put("type", "no.such.event").put("event_id", "evt_client_1"));
          return rec.until("error").compose(unknown -> {
            ctx.verify(() -> {
              JsonObject error = unknown.get(0).getJsonObject("error");
              assertEquals("invalid_request_error", error.getString("type"));
              assertEquals("unknown_event", error.getString("code"));
              assertEquals("evt_client_1", error.getString("event_id"));
              assertTrue(unknown.get(0).getString("event_id").startsWith("event_"));
            });
            rec.socket().writeTextMessage("{not json");
            return rec.until("error");
          }).compose(invalid -> {
            ctx.verify(() -> assertEquals("invalid_json", invalid.get(0).getJsonObject("error").getString("code")));
            rec.socket().writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
            return rec.until("error");
          }).compose(binary -> {
            ctx.verify(() -> assertEquals("binary_not_supported",
                binary.get(0).getJsonObject("error").getString("code")));
            rec.send(new JsonObject().put("type", "session.update")
                .put("session", new JsonObject().put("instructions", "Be brief").put("id", "sess_hijack")));
            return rec.until("session.updated");
          }).map(updated -> {
            ctx.verify(() -> {
              JsonObject session = updated.get(0).getJsonObject("session");
              assertEquals("Be brief", session.getString("instructions"));
              assertEquals(sessionId, session.getString("id"), "clients cannot rename the session");
              assertEquals("realtime", session.getString("type"), "untouched fields survive the merge");
              assertFalse(rec.socket().isClosed());
            });
            return rec;
          });
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void committedInputAudioBecomesAUserItemThatTheReplyMentionsAndUsageBills(VertxTestContext ctx) {
    String halfSecond = Base64.getEncoder().encodeToString(new byte[24_000]);
    connect(realtime(""))
        .compose(rec -> rec.until("session.created").compose(first -> {
          rec.send(new JsonObject().put("type", "input_audio_buffer.commit"));
          return rec.until("error").compose(empty -> {
            ctx.verify(() -> assertEquals("input_audio_buffer_commit_empty",
                empty.get(0).getJsonObject("error").getString("code")));
            rec.send(new JsonObject().put("type", "input_audio_buffer.append").put("audio", halfSecond));
            rec.send(new JsonObject().put("type", "input_audio_buffer.append").put("audio", halfSecond));
            rec.send(new JsonObject().put("type", "input_audio_buffer.commit"));
            rec.send(new JsonObject().put("type", "response.create")
                .put("response", new JsonObject().put("output_modalities", new JsonArray().add("text"))));
            return rec.until("response.done");
          });
        }))
        .onComplete(ctx.succeeding(batch -> ctx.verify(() -> {
          assertEquals(List.of("input_audio_buffer.committed", "conversation.item.added",
              "conversation.item.done", "response.created"), types(batch.subList(0, 4)));
          String itemId = batch.get(0).getString("item_id");
          assertTrue(itemId.startsWith("item_"));
          assertEquals(itemId, batch.get(2).getJsonObject("item").getString("id"));
          String text = ofType(batch, "response.output_text.done").get(0).getString("text");
          assertTrue(text.contains("audio (48000 bytes)"), text);
          JsonObject usage = batch.get(batch.size() - 1).getJsonObject("response").getJsonObject("usage");
          assertUsageAddsUp(usage);
          assertEquals(10, usage.getJsonObject("input_token_details").getInteger("audio_tokens"),
              "one second of input audio is 10 tokens");
          ctx.completeNow();
        })));
  }

  @Test
  void clearAndCancelAreAnsweredWithoutAResponseInProgress(VertxTestContext ctx) {
    connect(realtime(""))
        .compose(rec -> rec.until("session.created")
            .compose(first -> {
              rec.send(new JsonObject().put("type", "input_audio_buffer.clear"));
              return rec.until("input_audio_buffer.cleared");
            })
            .compose(cleared -> {
              rec.send(new JsonObject().put("type", "response.cancel"));
              return rec.until("error");
            }))
        .onComplete(ctx.succeeding(batch -> ctx.verify(() -> {
          assertEquals("response_cancel_not_active", batch.get(0).getJsonObject("error").getString("code"));
          ctx.completeNow();
        })));
  }

  @Test
  void upgradeOnAnotherPathIsRejectedWith404(VertxTestContext ctx) {
    connect(new WebSocketConnectOptions().setURI("/v1/other"))
        .onComplete(ctx.failing(failure -> ctx.verify(() -> {
          UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, failure);
          assertEquals(404, rejected.getStatus());
          ctx.completeNow();
        })));
  }

  @Test
  void messagesFarAboveTheVertxDefaultLimitAreAcceptedUpToMaxMessageBytes(VertxTestContext ctx) {
    String twoMebibytes = Base64.getEncoder().encodeToString(new byte[2 * 1024 * 1024]);
    connect(realtime(""))
        .compose(rec -> rec.until("session.created").compose(first -> {
          rec.send(new JsonObject().put("type", "input_audio_buffer.append").put("audio", twoMebibytes));
          rec.send(new JsonObject().put("type", "input_audio_buffer.commit"));
          return rec.until("input_audio_buffer.committed");
        }))
        .onComplete(ctx.succeeding(batch -> ctx.verify(() -> {
          assertEquals(List.of("input_audio_buffer.committed"), types(batch));
          ctx.completeNow();
        })));
  }

  @Test
  void closingTheProviderClosesOpenSessions(VertxTestContext ctx) {
    connect(realtime(""))
        .compose(rec -> rec.until("session.created")
            .compose(first -> provider.close())
            .compose(v -> rec.closed()))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void closedProviderRefusesNewConnections(VertxTestContext ctx) {
    provider.close()
        .compose(v -> connect(realtime("")))
        .onComplete(ctx.failing(failure -> ctx.completeNow()));
  }

  private Future<EventRecorder> connect(WebSocketConnectOptions options) {
    return EventRecorder.connect(vertx, provider.port(), options);
  }

  private static JsonObject userText(String text) {
    return new JsonObject().put("type", "conversation.item.create").put("item", new JsonObject()
        .put("type", "message")
        .put("role", "user")
        .put("content", new JsonArray().add(new JsonObject().put("type", "input_text").put("text", text))));
  }

  private static void assertUsageAddsUp(JsonObject usage) {
    JsonObject in = usage.getJsonObject("input_token_details");
    JsonObject out = usage.getJsonObject("output_token_details");
    int input = usage.getInteger("input_tokens");
    int output = usage.getInteger("output_tokens");
    assertEquals(in.getInteger("text_tokens") + in.getInteger("audio_tokens"), input);
    assertEquals(out.getInteger("text_tokens") + out.getInteger("audio_tokens"), output);
    assertTrue(in.getInteger("cached_tokens") <= input);
    assertEquals(input + output, usage.getInteger("total_tokens"));
    assertTrue(output > 0);
  }

  private static void assertEventIdsUnique(List<JsonObject> batch) {
    Set<String> ids = new HashSet<>();
    for (JsonObject event : batch) {
      assertTrue(ids.add(event.getString("event_id")), "duplicate event_id " + event.getString("event_id"));
    }
  }

  private static int maxAbsSample(byte[] pcm) {
    int max = 0;
    for (int i = 0; i + 1 < pcm.length; i += 2) {
      int sample = (short) ((pcm[i] & 0xff) | (pcm[i + 1] << 8));
      max = Math.max(max, Math.abs(sample));
    }
    return max;
  }
}
