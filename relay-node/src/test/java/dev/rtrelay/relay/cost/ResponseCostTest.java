package dev.rtrelay.relay.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Cost of a response.done, checked against figures computed by hand, in the GA and beta usage shapes. */
class ResponseCostTest {
  private static final ModelPrices GPT_REALTIME = DefaultPrices.forModel("gpt-realtime").orElseThrow();

  /** A GA response.done: cached tokens broken down per modality, image tokens present. */
  private static final String GA = """
      {"type":"response.done","event_id":"e","response":{"object":"realtime.response","id":"resp_1",
       "status":"completed","usage":{"total_tokens":1857,"input_tokens":1617,"output_tokens":240,
       "input_token_details":{"text_tokens":1017,"audio_tokens":500,"image_tokens":100,"cached_tokens":1088,
         "cached_tokens_details":{"text_tokens":768,"audio_tokens":256,"image_tokens":64}},
       "output_token_details":{"text_tokens":40,"audio_tokens":200}}}}
      """;

  /** The same counts as an older beta payload: no per-modality breakdown of cached tokens, no image tokens. */
  private static final String BETA = """
      {"type":"response.done","event_id":"e","response":{"object":"realtime.response","id":"resp_2",
       "status":"cancelled","usage":{"total_tokens":1757,"input_tokens":1517,"output_tokens":240,
       "input_token_details":{"cached_tokens":1024,"text_tokens":1017,"audio_tokens":500},
       "output_token_details":{"text_tokens":40,"audio_tokens":200}}}}
      """;

  @Test
  void gaUsagePricesEachModalityAndCachedTokensOnceAtTheCachedRate() {
    ResponseUsage u = ResponseUsage.fromResponseDone(new JsonObject(GA));
    assertEquals(1088, u.cachedTokens());
    ResponseCost c = GPT_REALTIME.cost(u);
    // Per 1M tokens: text 4, audio 32, image 5; cached text 0.4, cached audio 0.4, cached image 0.5; out 16 / 64.
    assertUsd("0.000996", c.inputText());        // (1017 - 768) * 4
    assertUsd("0.007808", c.inputAudio());       // (500 - 256) * 32
    assertUsd("0.00018", c.inputImage());        // (100 - 64) * 5
    assertUsd("0.0004416", c.cachedInput());     // 768 * 0.4 + 256 * 0.4 + 64 * 0.5
    assertUsd("0.00064", c.outputText());        // 40 * 16
    assertUsd("0.0128", c.outputAudio());        // 200 * 64
    assertUsd("0.0228656", c.total());
  }

  @Test
  void betaUsageWithoutCachedBreakdownCountsCachedAsTextFirst() {
    ResponseUsage u = ResponseUsage.fromResponseDone(new JsonObject(BETA));
    assertEquals(1017, u.cachedTextTokens());
    assertEquals(7, u.cachedAudioTokens());
    ResponseCost c = GPT_REALTIME.cost(u);
    assertUsd("0", c.inputText());
    assertUsd("0.015776", c.inputAudio());       // (500 - 7) * 32
    assertUsd("0.0004096", c.cachedInput());     // 1024 * 0.4
    assertUsd("0.0296256", c.total());           // 0.015776 + 0.0004096 + 0.00064 + 0.0128
  }

  @Test
  void sessionTotalsAddUpExactlyOverManyResponses() {
    SessionCost session = new SessionCost(Optional.of(GPT_REALTIME));
    for (int i = 0; i < 1000; i++) {
      session.onResponseDone(Buffer.buffer(GA));
    }
    ResponseBill last = session.onResponseDone(Buffer.buffer(BETA));
    assertUsd("22.8952256", last.sessionCost().orElseThrow()); // 1000 * 0.0228656 + 0.0296256
    assertEquals(Optional.of("cancelled"), last.status());
    assertEquals(1001, session.responses());
    assertEquals(1000L * 1857 + 1757, session.usage().totalTokens());
  }

  @Test
  void unknownPricesStillCountTokensButNoCost() {
    SessionCost session = new SessionCost(Optional.empty());
    ResponseBill bill = session.onResponseDone(Buffer.buffer(GA));
    assertTrue(bill.cost().isEmpty());
    assertEquals(1617, session.usage().inputTokens());
    assertNull(session.onResponseDone(Buffer.buffer("{\"type\":\"response.done\",\"response\":{}}")));
    assertNull(session.onResponseDone(Buffer.buffer("not json")));
  }

  @Test
  void missingAudioAndCachePricesFallBackToTheTextPrices() {
    ModelPrices textOnly = ModelPrices.of(Map.of(ModelPrices.INPUT, new BigDecimal("0.000001"),
        ModelPrices.OUTPUT, new BigDecimal("0.000002")));
    ResponseCost c = textOnly.cost(ResponseUsage.fromResponseDone(new JsonObject(GA)));
    // Without a cached price there is no discount: every input token at 1, every output token at 2.
    assertUsd("0.001617", c.inputText().add(c.inputAudio()).add(c.inputImage()).add(c.cachedInput()));
    assertUsd("0.00048", c.outputText().add(c.outputAudio()));
  }

  static void assertUsd(String expected, BigDecimal actual) {
    assertEquals(0, new BigDecimal(expected).compareTo(actual), "expected " + expected + " USD, got " + actual);
  }
}
