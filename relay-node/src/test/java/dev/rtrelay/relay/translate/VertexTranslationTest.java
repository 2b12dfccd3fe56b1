package dev.rtrelay.relay.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.ClientEvents;
import dev.rtrelay.relay.support.FakeGemini;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vertex_ai/ deployment: the relay gets an OAuth token with a real service-account JSON (google-auth-library signs
 * a JWT and posts it to the key's token_uri, here a local fake), connects to the Live path with it, names the model
 * by its full resource name and sends tool responses without ids.
 */
@ExtendWith(VertxExtension.class)
class VertexTranslationTest {
  @TempDir Path tmp;
  private FakeGemini vertex;
  private RelayFixture relay;
  private final AtomicInteger tokenRequests = new AtomicInteger();

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    vertex = FakeGemini.start(vertx).await(5, TimeUnit.SECONDS);
    HttpServer tokens = vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(b -> {
      tokenRequests.incrementAndGet();
      r.response().putHeader("content-type", "application/json").end(new JsonObject()
          .put("access_token", "ya29.fake-token").put("expires_in", 3600).put("token_type", "Bearer").encode());
    })).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    var keys = KeyPairGenerator.getInstance("RSA");
    keys.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
        .encodeToString(keys.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    Path credentials = tmp.resolve("sa.json");
    Files.writeString(credentials, new JsonObject().put("type", "service_account").put("project_id", "proj-1")
        .put("private_key_id", "k1").put("private_key", pem).put("client_email", "relay@proj-1.iam.gserviceaccount.com")
        .put("client_id", "1").put("token_uri", "http://127.0.0.1:" + tokens.actualPort() + "/token").encode());
    relay = RelayFixture.start(vertx, """
        model_list:
          - model_name: vertex-live
            litellm_params:
              model: vertex_ai/gemini-live-2.5-flash
              vertex_project: proj-1
              vertex_location: europe-west4
              vertex_credentials: %s
              api_base: %s
        general_settings:
          master_key: %s
        """.formatted(credentials, vertex.baseUrl(), RelayFixture.MASTER_KEY)).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void oauthTokenResourceNameAndToolResponsesWithoutIds() throws Exception {
    RecordingClient client = relay.record("vertex-live").await(10, TimeUnit.SECONDS);
    client.nextEvent("session.created");
    client.socket().writeTextMessage(new JsonObject().put("type", "session.update").put("session", new JsonObject()
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("name", "get_weather"))))
        .encode());
    client.nextEvent("session.updated");
    client.socket().writeTextMessage(ClientEvents.userText("call a tool"));
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    JsonObject call = client.nextEvent("response.function_call_arguments.done");
    client.nextEvent("response.done");
    client.socket().writeTextMessage(new JsonObject().put("type", "conversation.item.create").put("item",
        new JsonObject().put("type", "function_call_output").put("call_id", call.getString("call_id"))
            .put("output", "sunny")).encode());
    client.socket().writeTextMessage("{\"type\":\"response.create\"}");
    client.nextEvent("response.done");

    FakeGemini.Handshake handshake = vertex.handshakes().get(0);
    assertEquals("Bearer ya29.fake-token", handshake.headers().get("authorization"));
    assertEquals("proj-1", handshake.headers().get("x-goog-user-project"));
    assertTrue(handshake.uri().endsWith("/ws/google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContent"),
        handshake.uri());
    assertEquals(1, tokenRequests.get());
    assertEquals("projects/proj-1/locations/europe-west4/publishers/google/models/gemini-live-2.5-flash",
        vertex.received("setup").get(0).getJsonObject("setup").getString("model"));
    JsonObject response = vertex.received("toolResponse").get(0).getJsonObject("toolResponse")
        .getJsonArray("functionResponses").getJsonObject(0);
    assertFalse(response.containsKey("id"), "Vertex AI rejects ids on function responses");
    assertEquals("get_weather", response.getString("name"));
    assertEquals("sunny", response.getJsonObject("response").getString("output"));

    // A second session reuses the cached token.
    relay.record("vertex-live")
        .await(10, TimeUnit.SECONDS).nextEvent("session.created");
    assertEquals(1, tokenRequests.get());
  }
}
