package dev.rtrelay.relay.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The fast read of append events: exact for what SDKs write, and out of the way for anything else. */
class AppendAudioTest {
  @Test
  void readsTheAudioOfAppendsAsSdksWriteThem() {
    assertEquals("AAEC", AppendAudio.of("{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAEC\"}"));
    assertEquals("AAEC", AppendAudio.of("{\"type\":\"input_audio_buffer.append\",\"event_id\":\"e1\","
        + "\"audio\":\"AAEC\"}"));
    assertEquals("AAEC", AppendAudio.of("{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAEC\",\"x\":1}"));
  }

  @Test
  void leavesEverythingElseToTheParser() {
    assertNull(AppendAudio.of("{ \"type\": \"input_audio_buffer.append\", \"audio\": \"AAEC\" }"), "other spacing");
    assertNull(AppendAudio.of("{\"audio\":\"AAEC\",\"type\":\"input_audio_buffer.append\"}"), "other order");
    assertNull(AppendAudio.of("{\"type\":\"input_audio_buffer.append\",\"audio\":\"AA\\u0045C\"}"), "escapes");
    assertNull(AppendAudio.of("{\"type\":\"input_audio_buffer.append\",\"audio\":\"A\",\"audio\":\"B\"}"),
        "a repeated key");
    assertNull(AppendAudio.of("{\"type\":\"input_audio_buffer.appendix\",\"audio\":\"AAEC\"}"), "another type");
    assertNull(AppendAudio.of("{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAEC"), "cut short");
    assertNull(AppendAudio.of("{\"type\":\"input_audio_buffer.commit\"}"));
  }
}
