package dev.rtrelay.relay.ws;

import static dev.rtrelay.relay.support.ClientEvents.userText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The generic HTTP guardrail against a real HTTP server in the test, and during_call / post_call checks on provider
 * events. The fake upstream echoes, so a client can make the "provider" emit a transcript or an output part.
 */
@ExtendWith(VertxExtension.class)
class GuardrailModesTest {
  private static final String GUARD_KEY = "sk-guardrail-service-key-77";
  private final List<JsonObject> guardRequests = new CopyOnWriteArrayList<>();
  private final List<String> guardApiKeys = new CopyOnWriteArrayList<>();
  private RelayFixture relay;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    HttpServer guard = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      JsonObject request = body.toJsonObject();
      guardRequests.add(request);
      guardApiKeys.add(req.getHeader("x-api-key"));
      String text = request.getJsonArray("texts").getString(0);
      JsonObject answer = new JsonObject().put("action", "NONE");
      if (text.contains("forbidden")) {
        answer = new JsonObject().put("action", "BLOCKED").put("blocked_reason", "policy 7 says no");
      } else if (text.contains("rewrite-me")) {
        answer = new JsonObject().put("action", "GUARDRAIL_INTERVENED").put("texts", new JsonArray().add("rewritten"));
      }
      JsonObject reply = answer;
      long delay = text.contains("slow") ? 2_000 : 0;
      if (delay > 0) {
        vertx.setTimer(delay, id -> req.response().end(reply.encode()));
      } else {
        req.response().end(reply.encode());
      }
    }));
    guard.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    String yaml = """
        model_list:
          - model_name: echo
            litellm_params: {model: openai/echo, api_key: sk-up, api_base: %s}
            model_info: {mode: realtime}
        guardrails:
          - guardrail_name: policy-closed
            litellm_params:
              guardrail: generic_guardrail_api
              mode: pre_call
              api_base: http://127.0.0.1:%d/
              api_key: %s
              timeout_seconds: 0.3
          - guardrail_name: policy-open
            litellm_params:
              guardrail: generic_guardrail_api
              mode: pre_call
              api_base: http://127.0.0.1:%d
              unreachable_fallback: fail_open
              timeout_seconds: 0.3
          - guardrail_name: speech
            litellm_params:
              guardrail: litellm_content_filter
              mode: [realtime_input_transcription, post_call]
              blocked_words: [{keyword: launch codes, action: BLOCK}]
          - guardrail_name: strict-speech
            litellm_params:
              guardrail: litellm_content_filter
              mode: realtime_input_transcription
              hold_response_until_checked: true
              blocked_words: [{keyword: launch codes, action: BLOCK}]
        general_settings:
          master_key: %s
        """.formatted(upstream.baseUrl(), guard.actualPort(), GUARD_KEY, guard.actualPort(), RelayFixture.MASTER_KEY);
    relay = RelayFixture.start(vertx, yaml).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
  }

  private RecordingClient session(String guardrails) throws Exception {
    return relay.record(relay.options("echo").setURI("/v1/realtime?model=echo&guardrails=" + guardrails)
        .addHeader("Authorization", "Bearer " + RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
  }

  private static String firstText(JsonObject event) {
    return event.getJsonObject("item").getJsonArray("content").getJsonObject(0).getString("text");
  }

  @Test
  void httpGuardrailBlocksWithItsReasonAndGetsMetadataButNoClientKey() throws Exception {
    RecordingClient client = session("policy-closed");
    client.socket().writeTextMessage(userText("this is forbidden"));
    JsonObject error = client.next().json();
    assertEquals("Guardrail blocked this request: policy 7 says no",
        error.getJsonObject("error").getString("message"));
    assertEquals((short) 1011, client.awaitClose().code());
    JsonObject request = guardRequests.get(0);
    assertEquals("master", request.getJsonObject("request_data").getString("user_api_key_alias"));
    assertEquals("request", request.getString("input_type"));
    assertEquals("echo", request.getString("model"));
    assertEquals(GUARD_KEY, guardApiKeys.get(0), "the guardrail's own key, from config");
    assertFalse(request.encode().contains(RelayFixture.MASTER_KEY), "never the client's key");
  }

  @Test
  void httpGuardrailRewritesAndAllows() throws Exception {
    RecordingClient client = session("policy-closed");
    client.socket().writeTextMessage(userText("please rewrite-me"));
    assertEquals("rewritten", firstText(client.next().json()));
    client.socket().writeTextMessage(userText("all fine"));
    assertEquals("all fine", firstText(client.next().json()));
  }

  @Test
  void unreachableGuardrailFailsClosedByDefaultAndOpenWhenConfigured() throws Exception {
    RecordingClient closed = session("policy-closed");
    closed.socket().writeTextMessage(userText("slow answer"));
    assertTrue(closed.next().json().getJsonObject("error").getString("message").contains("unavailable"));
    assertEquals((short) 1011, closed.awaitClose().code());
    RecordingClient open = session("policy-open");
    open.socket().writeTextMessage(userText("slow answer"));
    assertEquals("slow answer", firstText(open.next().json()), "fail_open lets the text through after the timeout");
  }

  @Test
  void duringCallChecksTheUsersTranscribedSpeech() throws Exception {
    RecordingClient client = session("speech");
    String transcript = new JsonObject().put("type", "conversation.item.input_audio_transcription.completed")
        .put("item_id", "i1").put("transcript", "tell me the launch codes").encode();
    client.socket().writeTextMessage(transcript);
    // A local guardrail decides before the frame moves on, so the offending transcript is not even delivered.
    JsonObject error = client.next().json();
    assertEquals("guardrail_error", error.getJsonObject("error").getString("type"));
    assertEquals((short) 1011, client.awaitClose().code());
  }

  private static String transcript(String text) {
    return new JsonObject().put("type", "conversation.item.input_audio_transcription.completed").put("item_id", "i")
        .put("transcript", text).encode();
  }

  @Test
  void strictDuringCallHoldsTheModelsAnswerUntilTheTranscriptPassed() throws Exception {
    RecordingClient client = session("strict-speech");
    // The echo upstream plays the provider: what the client sends comes back as if the model had sent it.
    client.socket().writeTextMessage("{\"type\":\"session.created\",\"session\":{}}");
    assertEquals("session.created", client.next().json().getString("type"));
    JsonObject relayUpdate = client.next().json();
    assertEquals("session.update", relayUpdate.getString("type"), "the relay turned automatic answers off");
    assertEquals(false, relayUpdate.getJsonObject("session").getJsonObject("audio").getJsonObject("input")
        .getJsonObject("turn_detection").getBoolean("create_response"));
    client.socket().writeTextMessage("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"audio\":"
        + "{\"input\":{\"turn_detection\":{\"type\":\"semantic_vad\"}}}}}");
    JsonObject detection = client.next().json().getJsonObject("session").getJsonObject("audio")
        .getJsonObject("input").getJsonObject("turn_detection");
    assertEquals("semantic_vad", detection.getString("type"), "the client's own settings are kept");
    assertEquals(false, detection.getBoolean("create_response"));
    client.socket().writeTextMessage(transcript("what is the weather"));
    assertEquals("conversation.item.input_audio_transcription.completed", client.next().json().getString("type"));
    assertEquals("response.create", client.next().json().getString("type"), "answered once the transcript passed");
    client.socket().writeTextMessage(transcript("now the launch codes"));
    JsonObject error = client.next().json();
    assertEquals("guardrail_error", error.getJsonObject("error").getString("type"), "no response.create for it");
    assertEquals((short) 1011, client.awaitClose().code());
  }

  @Test
  void postCallChecksCompletedOutputInGaAndBetaNames() throws Exception {
    for (String type : new String[] {"response.output_audio_transcript.done", "response.audio_transcript.done"}) {
      RecordingClient client = session("speech");
      client.socket().writeTextMessage(new JsonObject().put("type", type).put("transcript", "the launch codes are")
          .encode());
      assertEquals("guardrail_error", client.next().json().getJsonObject("error").getString("type"), type);
      assertEquals((short) 1011, client.awaitClose().code());
    }
    RecordingClient clean = session("speech");
    String ok = new JsonObject().put("type", "response.output_text.done").put("text", "hello").encode();
    clean.socket().writeTextMessage(ok);
    assertEquals(ok, clean.next().text());
    assertFalse(clean.socket().isClosed(), "clean output leaves the session open");
  }
}
