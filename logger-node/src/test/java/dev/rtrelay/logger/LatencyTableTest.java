package dev.rtrelay.logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** tail --summary's table, from response.usage records as the relay writes them. */
class LatencyTableTest {
  private static String usage(String deployment, Object audio, Object text) {
    return "{\"schema\":1,\"kind\":\"response.usage\",\"session_id\":\"s\",\"seq\":3,\"model\":\"voice\","
        + "\"deployment\":\"" + deployment + "\",\"latency_ms\":{\"time_to_first_audio\":" + audio
        + ",\"time_to_first_text\":" + text + ",\"duration\":900.0,\"turn_end\":\"speech_stopped\"}}";
  }

  @Test
  void eachDeploymentGetsItsResponsesAndPercentiles() {
    LatencyTable table = new LatencyTable();
    for (int i = 1; i <= 20; i++) {
      table.add(usage("fast", 100 + i, 90 + i));
    }
    table.add(usage("slow", 800.4, "null"));
    table.add(usage("slow", 1200.6, "null"));
    table.add("{\"kind\":\"session.closed\",\"model\":\"voice\",\"deployment\":\"fast\"}");
    table.add("not json");
    String[] lines = table.render().split("\n");
    assertEquals(3, lines.length, String.join("\n", lines));
    assertTrue(lines[0].startsWith("model"), lines[0]);
    assertTrue(lines[1].matches("voice\\s+fast\\s+20\\s+110 / 119 / 120\\s+100 / 109 / 110\\s*"), lines[1]);
    assertTrue(lines[2].matches("voice\\s+slow\\s+2\\s+800 / 1201 / 1201\\s+-\\s*"), lines[2]);
  }

  @Test
  void withNothingTimedItSaysSo() {
    assertTrue(new LatencyTable().render().startsWith("no timed responses"));
  }
}
