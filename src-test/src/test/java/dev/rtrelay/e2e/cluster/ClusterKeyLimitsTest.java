package dev.rtrelay.e2e.cluster;

import dev.rtrelay.relay.support.OnEventLoop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.cluster.ClusterOptions;
import dev.rtrelay.cluster.ClusteredVertx;
import dev.rtrelay.relay.RelayNode;
import dev.rtrelay.relay.ServerOptions;
import dev.rtrelay.relay.config.ConfigLoader;
import dev.rtrelay.relay.simulated.SimulatedRealtimeProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two clustered relay nodes sharing one key's limits, budget and WebRTC tokens, in front of one simulated provider.
 * The last test crashes a node (its Hazelcast member is terminated, as a killed process would vanish), hence the order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterKeyLimitsTest {
  private static final String CLUSTER = "rtrelay-limits-" + UUID.randomUUID();
  private static final String SOLO_KEY = "sk-cluster-solo-0c1d";
  private static final String CAPPED_KEY = "sk-cluster-capped-77e0";

  private static Vertx plain;
  private static Vertx vertxA;
  private static Vertx vertxB;
  private static RelayNode nodeA;
  private static RelayNode nodeB;
  private static HttpClient http;

  @BeforeAll
  static void startCluster() throws Exception {
    plain = Vertx.vertx();
    SimulatedRealtimeProvider provider = SimulatedRealtimeProvider.start(plain, 16 << 20).await(10, TimeUnit.SECONDS);
    List<Future<Vertx>> joins = List.of(ClusteredVertx.start(ClusterOptions.local(CLUSTER)),
        ClusteredVertx.start(ClusterOptions.local(CLUSTER)));
    Future.all(joins).await(120, TimeUnit.SECONDS);
    vertxA = joins.get(0).result();
    vertxB = joins.get(1).result();
    String yaml = """
        model_list:
          - model_name: rt
            litellm_params:
              model: openai/gpt-realtime
              api_key: sk-upstream-simulated
              api_base: http://127.0.0.1:%d
        general_settings:
          master_key: %s
          webrtc_token_secrets: [cluster-wide-token-secret-0123456789abcdef-0123]
          virtual_keys:
            - key_alias: solo
              key: %s
              max_parallel_requests: 1
            - key_alias: capped
              key: %s
              max_budget: 0.0001
        """.formatted(provider.port(), ClientSession.MASTER_KEY, SOLO_KEY, CAPPED_KEY);
    nodeA = RelayNode.start(vertxA, new ConfigLoader(n -> null).parse(yaml, "a"), ServerOptions.plain("127.0.0.1", 0, 1),
        true).await(30, TimeUnit.SECONDS);
    nodeB = RelayNode.start(vertxB, new ConfigLoader(n -> null).parse(yaml, "b"), ServerOptions.plain("127.0.0.1", 0, 1),
        true).await(30, TimeUnit.SECONDS);
    http = plain.createHttpClient();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (Vertx v : new Vertx[] {vertxB, vertxA}) {
      if (v != null) {
        // The crashed node's close can fail; it must not hide the result of the tests.
        v.close().otherwiseEmpty().await(30, TimeUnit.SECONDS);
      }
    }
    if (plain != null) {
      plain.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static JsonObject post(int port, String path, String bearer, String contentType, Buffer body,
      int expectedStatus) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI(path).putHeader("Authorization", "Bearer " + bearer).putHeader("Content-Type", contentType);
    return OnEventLoop.call(plain, () -> http.request(options).compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> {
          assertEquals(expectedStatus, resp.statusCode(), b.toString());
          return new JsonObject().put("location", resp.getHeader("location")).put("body", b.toString());
        }))).await(15, TimeUnit.SECONDS);
  }

  private static int refusedStatus(int port, String key) throws Exception {
    try (ClientSession s = new ClientSession(plain, port, "rt", key)) {
      throw new AssertionError("the session was admitted");
    } catch (ExecutionException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      if (cause instanceof UpgradeRejectedException rejected) {
        return rejected.getStatus();
      }
      throw e;
    }
  }

  @Test
  @Order(1)
  void aClientSecretFromOneNodeOpensACallOnTheOther() throws Exception {
    JsonObject secret = new JsonObject(post(nodeA.port(), "/v1/realtime/client_secrets", ClientSession.MASTER_KEY,
        "application/json", new JsonObject().put("model", "rt").toBuffer(), 200).getString("body"));
    String token = secret.getJsonObject("client_secret").getString("value");
    JsonObject call = post(nodeB.port(), "/v1/realtime/calls", token, "application/sdp",
        Buffer.buffer("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"), 201);
    assertTrue(call.getString("location").startsWith("/v1/realtime/calls/rtc_sim_"), call.encode());
    assertTrue(call.getString("body").startsWith("v=0"), call.encode());
  }

  @Test
  @Order(2)
  void aResponseThatExhaustsTheBudgetOnOneNodeClosesTheKeysSessionOnTheOther() throws Exception {
    try (ClientSession onA = new ClientSession(plain, nodeA.port(), "rt", CAPPED_KEY);
        ClientSession onB = new ClientSession(plain, nodeB.port(), "rt", CAPPED_KEY)) {
      onA.nextEvent("session.created");
      onB.nextEvent("session.created");
      onA.send(new JsonObject().put("type", "conversation.item.create").put("item", new JsonObject()
          .put("type", "message").put("role", "user").put("content", new JsonArray()
              .add(new JsonObject().put("type", "input_text").put("text", "spend it all")))));
      onA.send(new JsonObject().put("type", "response.create"));
      onA.nextEvent("response.done");
      for (ClientSession s : new ClientSession[] {onA, onB}) {
        assertEquals("budget_exceeded", s.nextEvent("error").getJsonObject("error").getString("type"));
        assertEquals((short) 1008, s.awaitCloseCode());
      }
    }
    assertEquals(429, refusedStatus(nodeB.port(), CAPPED_KEY));
    assertEquals(429, refusedStatus(nodeA.port(), CAPPED_KEY));
  }

  @Test
  @Order(3)
  void maxParallelRequestsHoldsAcrossNodesAndACrashedNodesSessionsStopCounting() throws Exception {
    ClientSession onA = new ClientSession(plain, nodeA.port(), "rt", SOLO_KEY);
    onA.nextEvent("session.created");
    ClientSession bystander = new ClientSession(plain, nodeB.port(), "rt", ClientSession.MASTER_KEY);
    bystander.nextEvent("session.created");
    assertEquals(429, refusedStatus(nodeB.port(), SOLO_KEY), "the slot is taken on node A");
    // Node A vanishes from the cluster without releasing anything, as a killed process would.
    ((HazelcastClusterManager) ((VertxInternal) vertxA).clusterManager()).getHazelcastInstance()
        .getLifecycleService().terminate();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (ClientSession onB = new ClientSession(plain, nodeB.port(), "rt", SOLO_KEY)) {
        onB.nextEvent("session.created");
        break;
      } catch (ExecutionException | UpgradeRejectedException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        if (!(cause instanceof UpgradeRejectedException) || System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
    // The cut-off node cannot check limits any more: it refuses limited keys at once (503, retry shortly) instead of
    // leaving the upgrade unanswered.
    assertEquals(503, refusedStatus(nodeA.port(), SOLO_KEY));
    // A node leaving the cluster does not disturb sessions on the others.
    bystander.send(new JsonObject().put("type", "response.create"));
    bystander.nextEvent("response.done");
    bystander.close();
    onA.close();
  }
}
