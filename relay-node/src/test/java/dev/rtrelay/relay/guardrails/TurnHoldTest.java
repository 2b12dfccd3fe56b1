package dev.rtrelay.relay.guardrails;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Strict during_call's session.update rewriting, in GA and beta shapes. */
class TurnHoldTest {
  private static JsonObject rewrite(TurnHold hold, String update) {
    return new JsonObject(hold.check(update).result());
  }

  @Test
  void betaTurnDetectionLivesOnTheSession() {
    JsonObject s = rewrite(new TurnHold(null, true),
        "{\"type\":\"session.update\",\"session\":{\"instructions\":\"hi\"}}").getJsonObject("session");
    assertEquals(false, s.getJsonObject("turn_detection").getBoolean("create_response"));
    assertEquals("server_vad", s.getJsonObject("turn_detection").getString("type"));
    assertEquals("hi", s.getString("instructions"));
  }

  @Test
  void turnDetectionSwitchedOffByTheClientIsLeftOff() {
    JsonObject input = rewrite(new TurnHold(null, false), "{\"type\":\"session.update\",\"session\":{\"type\":"
        + "\"realtime\",\"audio\":{\"input\":{\"turn_detection\":null}}}}").getJsonObject("session")
        .getJsonObject("audio").getJsonObject("input");
    assertTrue(input.containsKey("turn_detection"));
    assertNull(input.getValue("turn_detection"));
  }

  @Test
  void initialUpdateIsAGaSessionUpdateHoldingResponses() {
    JsonObject update = new JsonObject(new TurnHold(null, false).initialUpdate());
    assertEquals("realtime", update.getJsonObject("session").getString("type"));
    assertEquals(false, update.getJsonObject("session").getJsonObject("audio").getJsonObject("input")
        .getJsonObject("turn_detection").getBoolean("create_response"));
  }

  @Test
  void onlySessionUpdatesAndPreCallTypesAreHeld() {
    TurnHold hold = new TurnHold(null, false);
    assertTrue(hold.wants("session.update"));
    assertTrue(!hold.wants("input_audio_buffer.append"));
    assertTrue(!hold.wants("conversation.item.create"), "no pre_call gate: user text is not held");
  }
}
