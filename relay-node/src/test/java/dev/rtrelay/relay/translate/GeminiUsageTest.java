package dev.rtrelay.relay.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rtrelay.relay.cost.DefaultPrices;
import dev.rtrelay.relay.cost.ResponseUsage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** usageMetadata in both Google spellings becomes OpenAI usage that the relay's billing reads modality by modality. */
class GeminiUsageTest {
  private static JsonObject modality(String m, int n) {
    return new JsonObject().put("modality", m).put("tokenCount", n);
  }

  @Test
  void vertexNamesThoughtsAndCachedBreakdownAreMapped() {
    JsonObject vertex = new JsonObject().put("promptTokenCount", 100).put("candidatesTokenCount", 40)
        .put("thoughtsTokenCount", 6).put("cachedContentTokenCount", 50).put("totalTokenCount", 146)
        .put("promptTokensDetails", new JsonArray().add(modality("AUDIO", 70)).add(modality("TEXT", 30)))
        .put("cacheTokensDetails", new JsonArray().add(modality("AUDIO", 45)).add(modality("TEXT", 5)))
        .put("candidatesTokensDetails", new JsonArray().add(modality("AUDIO", 40)));
    JsonObject usage = GeminiUsage.toOpenAi(vertex, true);
    assertEquals(100, usage.getInteger("input_tokens"));
    assertEquals(46, usage.getInteger("output_tokens"), "thinking tokens are output");
    ResponseUsage parsed = ResponseUsage.of(usage);
    assertEquals(70, parsed.inputAudioTokens());
    assertEquals(45, parsed.cachedAudioTokens());
    assertEquals(5, parsed.cachedTextTokens());
    assertEquals(40, parsed.outputAudioTokens());
    assertEquals(6, parsed.outputTextTokens());
  }

  @Test
  void withoutDetailsOutputFollowsTheSessionModalityAndStandaloneFramesAdd() {
    JsonObject bare = new JsonObject().put("promptTokenCount", 10).put("responseTokenCount", 20);
    assertEquals(20, GeminiUsage.toOpenAi(bare, true).getJsonObject("output_token_details").getInteger("audio_tokens"));
    assertEquals(20, GeminiUsage.toOpenAi(bare, false).getJsonObject("output_token_details").getInteger("text_tokens"));
    JsonObject sum = GeminiUsage.plus(GeminiUsage.toOpenAi(bare, true), GeminiUsage.toOpenAi(bare, true));
    assertEquals(60, sum.getInteger("total_tokens"));
    assertEquals(40, sum.getJsonObject("output_token_details").getInteger("audio_tokens"));
    // Priced like any other deployment once model_info gives prices (no Gemini row in the built-in table).
    assertEquals(true, DefaultPrices.forModel("gemini-live-test").isEmpty());
  }
}
