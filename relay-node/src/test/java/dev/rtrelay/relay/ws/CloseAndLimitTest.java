package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Close codes and reasons cross the relay both ways; oversize messages close with 1009. */
@ExtendWith(VertxExtension.class)
class CloseAndLimitTest {
  private RelayFixture relay;

  @AfterEach
  void stop() throws Exception {
    if (relay != null) {
      relay.close().await(10, TimeUnit.SECONDS);
    }
  }

  private FakeUpstream startWith(Vertx vertx, String extraRelaySettings) throws Exception {
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    String yaml = TestConfigs.echo(upstream.baseUrl()).replace("  max_message_bytes: 33554432\n", extraRelaySettings);
    relay = RelayFixture.start(vertx, yaml).await(10, TimeUnit.SECONDS);
    return upstream;
  }

  @Test
  void clientCloseCodeAndReasonReachTheUpstream(Vertx vertx) throws Exception {
    FakeUpstream upstream = startWith(vertx, "  max_message_bytes: 33554432\n");
    RecordingClient client = relay.record("echo").await(10, TimeUnit.SECONDS);
    client.socket().close((short) 4001, "client done");
    assertEquals((short) 4001, upstream.firstCloseCode().await(10, TimeUnit.SECONDS));
    assertEquals("client done", upstream.firstCloseReason().await(10, TimeUnit.SECONDS));
  }

  @Test
  void upstreamCloseCodeAndReasonReachTheClient(Vertx vertx) throws Exception {
    startWith(vertx, "  max_message_bytes: 33554432\n");
    RecordingClient client = relay.record("echo").await(10, TimeUnit.SECONDS);
    client.socket().writeTextMessage("close:4002:upstream says bye");
    RecordingClient.Close close = client.awaitClose();
    assertEquals((short) 4002, close.code());
    assertEquals("upstream says bye", close.reason());
  }

  @Test
  void normalCloseIsPropagatedAsNormal(Vertx vertx) throws Exception {
    FakeUpstream upstream = startWith(vertx, "  max_message_bytes: 33554432\n");
    RecordingClient client = relay.record("echo").await(10, TimeUnit.SECONDS);
    client.socket().close();
    assertEquals((short) 1000, upstream.firstCloseCode().await(10, TimeUnit.SECONDS));
  }

  @Test
  void messageOverTheLimitClosesBothSidesWith1009(Vertx vertx) throws Exception {
    FakeUpstream upstream = startWith(vertx, "  max_message_bytes: 65536\n");
    RecordingClient client = relay.record("echo").await(10, TimeUnit.SECONDS);
    // Fragments each below the frame limit, together above the message limit: the case Vert.x does not catch alone.
    Buffer chunk = Buffer.buffer(new byte[40_000]);
    client.socket().writeFrame(WebSocketFrame.binaryFrame(chunk, false));
    client.socket().writeFrame(WebSocketFrame.continuationFrame(chunk, true));
    assertEquals((short) 1009, client.awaitClose().code());
    assertEquals((short) 1009, upstream.firstCloseCode().await(10, TimeUnit.SECONDS));
  }
}
