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
import java.util.List;
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
  /** The lifetime the fake token endpoint gives its tokens. */
  private final AtomicInteger tokenSeconds = new AtomicInteger(3600);
  private Path credentials;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    vertex = FakeGemini.start(vertx).await(5, TimeUnit.SECONDS);
    HttpServer tokens = vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(b -> {
      tokenRequests.incrementAndGet();
      r.response().putHeader("content-type", "application/json").end(new JsonObject()
          .put("access_token", "ya29.fake-token").put("expires_in", tokenSeconds.get()).put("token_type", "Bearer")
          .encode());
    })).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    var keys = KeyPairGenerator.getInstance("RSA");
    keys.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
        .encodeToString(keys.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    credentials = tmp.resolve("sa.json");
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

  /** Three deployments (two aliases) on one service account. */
  private RelayFixture sharedCredentialRelay(Vertx vertx) throws Exception {
    StringBuilder yaml = new StringBuilder("model_list:\n");
    String[] aliases = {"vertex-a", "vertex-a", "vertex-b"};
    for (int i = 0; i < aliases.length; i++) {
      yaml.append("""
            - model_name: %s
              litellm_params:
                model: vertex_ai/gemini-live-2.5-flash
                vertex_project: proj-1
                vertex_credentials: %s
                api_base: %s
              model_info: {id: dep-%d}
          """.formatted(aliases[i], credentials, vertex.baseUrl(), i));
    }
    yaml.append("router_settings: {routing_strategy: least-busy}\ngeneral_settings: {master_key: ")
        .append(RelayFixture.MASTER_KEY).append("}\n");
    return RelayFixture.start(vertx, yaml.toString()).await(10, TimeUnit.SECONDS);
  }

  @Test
  void deploymentsSharingOneServiceAccountShareOneToken(Vertx vertx) throws Exception {
    RelayFixture shared = sharedCredentialRelay(vertx);
    try {
      List<RecordingClient> clients = new java.util.ArrayList<>();
      for (String alias : List.of("vertex-a", "vertex-a", "vertex-b")) {
        RecordingClient client = shared.record(alias).await(10, TimeUnit.SECONDS);
        client.nextEvent("session.created");
        clients.add(client); // held open, so that least-busy spreads vertex-a over both of its deployments
      }
      assertEquals(3, vertex.handshakes().size());
      assertEquals(1, tokenRequests.get(), "one credential, one token, whatever the deployments");
      assertEquals(1, shared.scrape().value("rtrelay_google_token_fetches_total", "outcome", "ok"));
    } finally {
      shared.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aShortLivedTokenIsRefreshedAheadSoASessionStartNeverWaitsForOne(Vertx vertx) throws Exception {
    tokenSeconds.set(8); // refreshed in the background after 6 s; a session start needs none while it is valid
    RelayFixture shared = sharedCredentialRelay(vertx);
    try {
      shared.record("vertex-a").await(10, TimeUnit.SECONDS).nextEvent("session.created");
      assertEquals(1, tokenRequests.get());
      shared.record("vertex-b").await(10, TimeUnit.SECONDS).nextEvent("session.created");
      assertEquals(1, tokenRequests.get(), "still valid: no fetch at the session start");
      RecordingClient.await(() -> tokenRequests.get() == 2, "a background refresh before the token runs out");
      shared.record("vertex-a").await(10, TimeUnit.SECONDS).nextEvent("session.created");
      assertEquals(2, tokenRequests.get(), "the refreshed token serves the next session");
      assertEquals(2, shared.scrape().value("rtrelay_google_token_fetches_total", "outcome", "ok"));
    } finally {
      shared.close().await(10, TimeUnit.SECONDS);
    }
  }
}
