package dev.rtrelay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The main job's default: a session through the relay to the built-in simulated provider, GA and beta names. */
@ExtendWith(VertxExtension.class)
class SimulatedThroughRelayTest {
  private RelayFixture relay;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    relay = RelayFixture.start(vertx, DefaultConfig.yaml(name -> null)).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
  }

  private RecordingClient open(boolean beta) throws Exception {
    var options = relay.options("gpt-realtime").addHeader("Authorization", "Bearer " + DefaultConfig.DEV_MASTER_KEY);
    if (beta) {
      options.addHeader("OpenAI-Beta", "realtime=v1");
    }
    return relay.record(options).await(10, TimeUnit.SECONDS);
  }

  @Test
  void gaTextRoundTripStartsWithSessionCreatedAndEndsWithUsage() throws Exception {
    RecordingClient client = open(false);
    assertEquals("session.created", client.next().json().getString("type"), "first event, not lost at upgrade");
    client.socket().writeTextMessage(new JsonObject().put("type", "conversation.item.create").put("item",
        new JsonObject().put("type", "message").put("role", "user").put("content", new io.vertx.core.json.JsonArray()
            .add(new JsonObject().put("type", "input_text").put("text", "hello relay")))).encode());
    client.socket().writeTextMessage("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"]}}");
    JsonObject delta = client.nextEvent("response.output_text.delta");
    assertTrue(delta.getString("delta").length() > 0);
    JsonObject done = client.nextEvent("response.done");
    JsonObject usage = done.getJsonObject("response").getJsonObject("usage");
    assertEquals(usage.getInteger("input_tokens") + usage.getInteger("output_tokens"), usage.getInteger("total_tokens"));
  }

  @Test
  void betaHeaderYieldsBetaAudioEventNames() throws Exception {
    RecordingClient client = open(true);
    client.nextEvent("session.created");
    client.socket().writeTextMessage("{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAAAAAAAAAAAAAAA\"}");
    client.socket().writeTextMessage("{\"type\":\"input_audio_buffer.commit\"}");
    client.socket().writeTextMessage("{\"type\":\"response.create\",\"response\":{\"modalities\":[\"audio\",\"text\"]}}");
    assertTrue(client.nextEvent("response.audio.delta").getString("delta").length() > 0);
    client.nextEvent("response.done");
  }
}
