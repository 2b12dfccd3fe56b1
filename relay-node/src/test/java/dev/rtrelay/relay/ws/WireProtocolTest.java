package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.RawClient;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TestConfigs;
import dev.rtrelay.relay.wire.Frames;
import dev.rtrelay.relay.wire.RawFrames;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RFC 6455 on the relayed path, seen from a raw TCP client: a client that breaks the protocol gets a close frame with
 * the code that says why (1002, 1007, 1009) and nothing of the offending frame reaches the provider; pings are
 * answered; only version 13 is spoken.
 */
@ExtendWith(VertxExtension.class)
class WireProtocolTest {
  private static final String AUTH = "Authorization: Bearer " + RelayFixture.MASTER_KEY + "\r\n"
      + "Sec-WebSocket-Version: 13\r\n";
  private FakeUpstream upstream;
  private RelayFixture relay;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    String yaml = TestConfigs.echo(upstream.baseUrl()).replace("  max_message_bytes: 33554432\n",
        "  max_message_bytes: 65536\n");
    relay = RelayFixture.start(vertx, yaml).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    relay.close().await(10, TimeUnit.SECONDS);
  }

  private RawClient session() throws Exception {
    RawClient client = RawClient.connect(relay.port(), "/v1/realtime?model=echo", AUTH);
    assertEquals(101, client.status(), client.responseHead());
    // One echoed message first: the session is wired end to end before the test misbehaves.
    client.sendText("{\"type\":\"warm\"}");
    assertEquals("{\"type\":\"warm\"}", client.next().text());
    return client;
  }

  private void assertRefusedWith(Buffer badFrame, int code) throws Exception {
    try (RawClient client = session()) {
      int before = upstream.dataFramesReceived();
      client.send(badFrame);
      RawClient.Frame close = client.awaitClose();
      assertEquals(code, close.closeCode(), close.text());
      assertEquals((short) 1001, upstream.firstCloseCode().await(10, TimeUnit.SECONDS),
          "the provider is told the client went away, not blamed");
      assertEquals(before, upstream.dataFramesReceived(), "nothing of the offending frame reached the provider");
    }
  }

  @Test
  void unmaskedClientFrameIsAProtocolError() throws Exception {
    assertRefusedWith(RawFrames.text("{}", null), 1002);
  }

  @Test
  void reservedBitsAndOpcodesAreProtocolErrors() throws Exception {
    assertRefusedWith(RawFrames.frame(0x80 | 0x20 | Frames.TEXT, "{}".getBytes(), 7, false), 1002);
  }

  @Test
  void reservedOpcodeIsAProtocolError() throws Exception {
    assertRefusedWith(RawFrames.frame(true, 0xB, new byte[2], 7), 1002);
  }

  @Test
  void oversizedAndFragmentedControlFramesAreProtocolErrors() throws Exception {
    assertRefusedWith(RawFrames.frame(true, Frames.PING, new byte[126], 7), 1002);
  }

  @Test
  void fragmentedPingIsAProtocolError() throws Exception {
    assertRefusedWith(RawFrames.frame(false, Frames.PING, new byte[3], 7), 1002);
  }

  @Test
  void invalidUtf8InATextFrameIs1007AndIsNotForwarded() throws Exception {
    assertRefusedWith(RawFrames.frame(true, Frames.TEXT, new byte[] {'{', (byte) 0xFF, '}'}, 7), 1007);
  }

  @Test
  void oneFrameOverTheLimitGetsA1009CloseFrameNotADroppedConnection() throws Exception {
    try (RawClient client = session()) {
      client.send(RawFrames.frame(true, Frames.BINARY, new byte[70_000], 7));
      assertEquals(1009, client.awaitClose().closeCode());
      assertEquals((short) 1009, upstream.firstCloseCode().await(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void aProviderMessageOverTheLimitGives1009ToBothSides() throws Exception {
    try (RawClient client = session()) {
      client.sendText("flood:1:70000");
      assertEquals(1009, client.awaitClose().closeCode());
      assertEquals((short) 1009, upstream.firstCloseCode().await(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void pingsAreAnsweredWithTheirPayload() throws Exception {
    try (RawClient client = session()) {
      client.send(RawFrames.frame(true, Frames.PING, "are you there".getBytes(StandardCharsets.UTF_8), 99));
      RawClient.Frame pong = client.next();
      assertEquals(Frames.PONG, pong.opcode());
      assertArrayEquals("are you there".getBytes(StandardCharsets.UTF_8), pong.payload());
    }
  }

  @Test
  void aCloseFrameIsAnsweredAndPassedOn() throws Exception {
    try (RawClient client = session()) {
      client.send(RawFrames.close(4001, "done here", 5));
      RawClient.Frame answer = client.awaitClose();
      assertEquals(4001, answer.closeCode(), "the client's close is echoed");
      assertTrue(client.endsWithin(), "then the relay closes the connection");
      assertEquals((short) 4001, upstream.firstCloseCode().await(10, TimeUnit.SECONDS));
      assertEquals("done here", upstream.firstCloseReason().await(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void anInvalidCloseCodeIsAProtocolError() throws Exception {
    try (RawClient client = session()) {
      client.send(RawFrames.close(1005, "", 5));
      assertEquals(1002, client.awaitClose().closeCode());
    }
  }

  @Test
  void onlyWebSocketVersion13IsAccepted() throws Exception {
    for (String version : new String[] {"8", "7"}) {
      try (RawClient client = RawClient.connect(relay.port(), "/v1/realtime?model=echo",
          "Authorization: Bearer " + RelayFixture.MASTER_KEY + "\r\nSec-WebSocket-Version: " + version + "\r\n")) {
        assertEquals(426, client.status());
        assertTrue(client.responseHead().toLowerCase().contains("sec-websocket-version: 13"), client.responseHead());
      }
    }
    assertEquals(0, upstream.acceptedSockets(), "refused before any upstream work");
  }

  @Test
  void theHandshakeSelectsRealtimeAndNoExtension() throws Exception {
    try (RawClient client = RawClient.connect(relay.port(), "/v1/realtime?model=echo", AUTH
        + "Sec-WebSocket-Protocol: realtime, openai-beta.realtime-v1\r\n"
        + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n")) {
      String head = client.responseHead().toLowerCase();
      assertEquals(101, client.status());
      assertTrue(head.contains("sec-websocket-protocol: realtime\r\n"), head);
      assertTrue(!head.contains("sec-websocket-extensions"), "no compression on the verbatim path: " + head);
      assertTrue(head.contains("sec-websocket-accept: icx+yqv66kxgm0fcwalwlflwtai="), head);
    }
  }
}
