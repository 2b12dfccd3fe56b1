package dev.rtrelay.relay.simulated;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UsageMeterTest {

  @Test
  void firstResponseBillsConversationAsInputAndNothingAsCached() {
    UsageMeter meter = new UsageMeter();
    meter.addText("three little words");
    meter.addAudio(48_000);

    JsonObject usage = meter.bill("be kind", "a two-part reply", 4_800);

    JsonObject in = usage.getJsonObject("input_token_details");
    JsonObject out = usage.getJsonObject("output_token_details");
    assertEquals(5, in.getInteger("text_tokens"), "2 instruction words + 3 user words");
    assertEquals(10, in.getInteger("audio_tokens"));
    assertEquals(0, in.getInteger("cached_tokens"));
    assertEquals(15, usage.getInteger("input_tokens"));
    assertEquals(3, out.getInteger("text_tokens"));
    assertEquals(1, out.getInteger("audio_tokens"));
    assertEquals(4, usage.getInteger("output_tokens"));
    assertEquals(19, usage.getInteger("total_tokens"));
  }

  @Test
  void laterResponsesRereadTheGrowingConversationAndCountThePreviousInputAsCached() {
    UsageMeter meter = new UsageMeter();
    meter.addText("hello there");
    JsonObject first = meter.bill("", "hi", 0);
    meter.addText("and again");

    JsonObject second = meter.bill("", "ok", 0);

    assertEquals(2, first.getInteger("input_tokens"));
    assertEquals(2 + 1 + 2, second.getInteger("input_tokens"), "user turn, previous reply, new user turn");
    assertEquals(first.getInteger("input_tokens"),
        second.getJsonObject("input_token_details").getInteger("cached_tokens"));
  }

  @Test
  void audioTokensRoundUpToTenPerSecond() {
    assertEquals(0, UsageMeter.audioTokens(0));
    assertEquals(1, UsageMeter.audioTokens(1));
    assertEquals(10, UsageMeter.audioTokens(48_000));
    assertEquals(11, UsageMeter.audioTokens(48_001));
  }
}
