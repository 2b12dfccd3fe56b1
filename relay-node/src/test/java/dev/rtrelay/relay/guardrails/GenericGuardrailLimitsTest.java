package dev.rtrelay.relay.guardrails;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The generic guardrail API's bounds, against a real HTTP server that holds every check until told to answer: a
 * session cannot take more than its share, the wait for a connection is bounded, and a check over a bound gets the
 * configured fallback at once instead of queueing without limit.
 */
@ExtendWith(VertxExtension.class)
class GenericGuardrailLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static GenericGuardrailApi guardrail(Vertx vertx, int port, String fallback) throws Exception {
    String entry = """
        {"guardrail_name": "remote", "litellm_params": {"guardrail": "generic_guardrail_api", "mode": "post_call",
          "api_base": "http://127.0.0.1:%d", "unreachable_fallback": "%s", "timeout_seconds": 20,
          "max_connections": 1, "max_queued_checks": 1, "max_checks_per_session": 2}}
        """.formatted(port, fallback);
    return (GenericGuardrailApi) GuardrailFactory.create("guardrails[0]", JSON.readTree(entry), n -> null)
        .bind(vertx);
  }

  private static CheckContext session(String id) {
    return new CheckContext(id, "rt", "team-a", Optional.empty(), GuardrailMode.POST_CALL);
  }

  /** Checks from a relay event loop, as sessions make them. */
  private static Future<Verdict> check(Vertx vertx, GenericGuardrailApi g, String session) {
    io.vertx.core.Promise<Verdict> result = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> g.check("hello", session(session)).onComplete(result));
    return result.future();
  }

  @Test
  void checksOverASessionsShareOrThePoolsQueueGetTheFallbackAtOnceAndNothingIsLeftBehind(Vertx vertx)
      throws Exception {
    List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
    int port = vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(b -> held.add(r))).listen(0, "127.0.0.1")
        .await(5, TimeUnit.SECONDS).actualPort();
    GenericGuardrailApi g = guardrail(vertx, port, "fail_closed");

    Future<Verdict> first = check(vertx, g, "rs_a");
    awaitHeld(held, 1);
    Future<Verdict> second = check(vertx, g, "rs_a");
    // rs_a has its two checks in flight (one sent, one waiting for the only connection).
    Verdict overShare = check(vertx, g, "rs_a").await(5, TimeUnit.SECONDS);
    assertEquals(Verdict.Kind.BLOCK, overShare.kind());
    assertEquals("overloaded", overShare.category());
    // The one connection is busy and the one queue place taken: another session is refused without waiting.
    Verdict queueFull = check(vertx, g, "rs_b").await(5, TimeUnit.SECONDS);
    assertEquals(Verdict.Kind.BLOCK, queueFull.kind());
    assertFalse(first.isComplete() || second.isComplete());

    answer(held.get(0));
    awaitHeld(held, 2);
    answer(held.get(1));
    assertEquals(Verdict.Kind.ALLOW, first.await(5, TimeUnit.SECONDS).kind());
    assertEquals(Verdict.Kind.ALLOW, second.await(5, TimeUnit.SECONDS).kind());
    assertEquals(0, g.sessionsInFlight(), "no session keeps a slot after its checks ended");

    Future<Verdict> again = check(vertx, g, "rs_b");
    awaitHeld(held, 3);
    answer(held.get(2));
    assertEquals(Verdict.Kind.ALLOW, again.await(5, TimeUnit.SECONDS).kind(), "slots and queue are free again");
  }

  @Test
  void failOpenLetsTheTextThroughWhenOverloaded(Vertx vertx) throws Exception {
    List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
    int port = vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(b -> held.add(r))).listen(0, "127.0.0.1")
        .await(5, TimeUnit.SECONDS).actualPort();
    GenericGuardrailApi g = guardrail(vertx, port, "fail_open");
    check(vertx, g, "rs_a");
    check(vertx, g, "rs_a");
    assertEquals(Verdict.ALLOW, check(vertx, g, "rs_a").await(5, TimeUnit.SECONDS));
  }

  @Test
  void limitsMustBeWholePositiveNumbers() {
    String entry = """
        {"guardrail_name": "remote", "litellm_params": {"guardrail": "generic_guardrail_api", "mode": "pre_call",
          "api_base": "http://127.0.0.1:1", "max_checks_per_session": 0}}
        """;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GuardrailFactory.create("guardrails[0]", JSON.readTree(entry), n -> null));
    assertTrue(e.getMessage().startsWith("guardrails[0].litellm_params.max_checks_per_session: must be"),
        e.getMessage());
  }

  private static void answer(HttpServerRequest request) {
    request.response().putHeader("content-type", "application/json").end("{\"action\":\"NONE\"}");
  }

  private static void awaitHeld(List<HttpServerRequest> held, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (held.size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the guardrail service received " + held.size() + " checks, expected " + count);
      }
      Thread.sleep(10);
    }
  }
}
