package dev.rtrelay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The start-up warm-up runs its sessions end to end through a throwaway relay, and leaves nothing running. */
@ExtendWith(VertxExtension.class)
class WarmUpTest {
  @Test
  void everyWarmUpSessionCompletesAndTheThrowawayRelayIsGone(Vertx vertx) throws Exception {
    int deploymentsBefore = vertx.deploymentIDs().size();
    String outcome = WarmUp.run(vertx, ServerOptions.plain("127.0.0.1", 0, 2), 40).await(60, TimeUnit.SECONDS);
    assertTrue(outcome.startsWith("warm-up: 40 sessions through a throwaway relay in "), outcome);
    assertEquals(deploymentsBefore, vertx.deploymentIDs().size(), "the throwaway relay was undeployed");
  }

  @Test
  void zeroSessionsMeansNoWarmUp(Vertx vertx) throws Exception {
    assertEquals("warm-up: off (relay_settings.warm_up_sessions: 0)",
        WarmUp.run(vertx, ServerOptions.plain("127.0.0.1", 0, 2), 0).await(10, TimeUnit.SECONDS));
  }
}
