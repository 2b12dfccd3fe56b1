package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RecordingClient.Message;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Frames cross the relay unchanged both ways: the fake upstream echoes what it receives, so a message that comes back
 * identical (type, bytes, order) has crossed client->upstream and upstream->client intact.
 */
@ExtendWith(VertxExtension.class)
class FrameRelayTest {
  private RelayFixture relay;
  private RecordingClient client;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, TestConfigs.echo(upstream.baseUrl())).await(10, TimeUnit.SECONDS);
    client = relay.record("echo").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void textFrameComesBackAsIdenticalText() throws Exception {
    String event = "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAECAwQF\",\"note\":\"ünïcödé ✓\"}";
    client.socket().writeTextMessage(event);
    Message m = client.next();
    assertTrue(m.isText());
    assertEquals(event, m.text());
  }

  @Test
  void binaryFrameComesBackAsIdenticalBinary() throws Exception {
    byte[] bytes = new byte[4096];
    new Random(7).nextBytes(bytes);
    client.socket().writeBinaryMessage(Buffer.buffer(bytes));
    Message m = client.next();
    assertTrue(!m.isText());
    assertArrayEquals(bytes, m.binary().getBytes());
  }

  @Test
  void tenThousandFramesStayInOrder() throws Exception {
    int count = 10_000;
    for (int i = 0; i < count; i++) {
      client.socket().writeTextMessage("{\"type\":\"seq\",\"n\":" + i + "}");
    }
    for (int i = 0; i < count; i++) {
      assertEquals("{\"type\":\"seq\",\"n\":" + i + "}", client.next().text());
    }
  }

  @Test
  void sixteenMebibyteMessagePassesBothWays() throws Exception {
    byte[] payload = new byte[16 * 1024 * 1024];
    new Random(11).nextBytes(payload);
    // Base64-like text of exactly 16 MiB, as a huge session.update with an image would be.
    String text = java.util.Base64.getEncoder().encodeToString(payload).substring(0, 16 * 1024 * 1024);
    client.socket().writeTextMessage(text);
    assertEquals(text, client.next().text());
    client.socket().writeBinaryMessage(Buffer.buffer(payload));
    assertArrayEquals(payload, client.next().binary().getBytes());
  }

  @Test
  void fragmentedMessageIsReassembledByTheReceiverIntact() throws Exception {
    client.socket().writeFrame(WebSocketFrame.textFrame("{\"type\":\"frag", false));
    client.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("mented\","),
        false));
    client.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("\"ok\":true}"), true));
    assertEquals("{\"type\":\"fragmented\",\"ok\":true}", client.next().text());
  }
}
