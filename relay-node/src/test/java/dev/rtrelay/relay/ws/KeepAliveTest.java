package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.RelayFixture;
import dev.rtrelay.relay.support.TestConfigs;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Idle sessions get pings from the relay, so load balancers and NATs keep long quiet sessions open. */
@ExtendWith(VertxExtension.class)
class KeepAliveTest {
  @Test
  void quietClientReceivesPingsAtTheConfiguredInterval(Vertx vertx) throws Exception {
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    String yaml = TestConfigs.echo(upstream.baseUrl()) + "  ping_interval_seconds: 1\n";
    RelayFixture relay = RelayFixture.start(vertx, yaml).await(10, TimeUnit.SECONDS);
    WebSocketClient client = vertx.createWebSocketClient();
    ClientWebSocket ws = client.webSocket();
    Promise<Void> pinged = Promise.promise();
    ws.frameHandler(frame -> {
      if (frame.type() == WebSocketFrameType.PING) {
        pinged.tryComplete();
      }
    });
    ws.connect(relay.options("echo").addHeader("Authorization", "Bearer " + RelayFixture.MASTER_KEY))
        .await(10, TimeUnit.SECONDS);
    pinged.future().await(10, TimeUnit.SECONDS);
    assertTrue(!ws.isClosed(), "a client that answers pings stays connected");
    ws.close().await(5, TimeUnit.SECONDS);
    client.close().await(5, TimeUnit.SECONDS);
    relay.close().await(10, TimeUnit.SECONDS);
  }
}
