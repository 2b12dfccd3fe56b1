package dev.rtrelay.relay.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte-scan fast path writes exactly what the streaming parser writes, and declines whatever it cannot read. */
class FlatEventRedactorTest {
  private static final String AUDIO = Base64.getEncoder().encodeToString(new byte[960]);

  /** What the streaming path ({@link EventJson#copy}) writes for the same input; null when it rejects the input. */
  private static String parsed(String json, String field) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = EventJson.FACTORY.createGenerator(out)) {
      EventJson.copy(json.getBytes(StandardCharsets.UTF_8), field, g);
    } catch (IOException | RuntimeException malformed) {
      return null;
    }
    return out.toString();
  }

  private static String fast(String json, String field) {
    return FlatEventRedactor.redact(json.getBytes(StandardCharsets.UTF_8), field);
  }

  @Test
  void audioEventsAsClientsAndProvidersWriteThemTakeTheFastPathWithTheSameResult() {
    List<String> accepted = List.of(
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + AUDIO + "\"}",
        "{\"type\":\"input_audio_buffer.append\",\"event_id\":\"evt_1\",\"audio\":\"" + AUDIO + "\"}",
        // Python's json.dumps separators, and whitespace around the object.
        " {\"type\": \"input_audio_buffer.append\", \"audio\": \"" + AUDIO + "\"}\n",
        "{\"type\":\"response.output_audio.delta\",\"event_id\":\"event_9\",\"response_id\":\"resp_1\","
            + "\"item_id\":\"item_1\",\"output_index\":0,\"content_index\":12,\"delta\":\"" + AUDIO + "\"}",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAE=\",\"n\":-3,\"t\":true,\"f\":false,\"z\":null}",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"\"}",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":42}",
        "{}");
    for (String json : accepted) {
      String expected = parsed(json, field(json));
      assertNotNull(fast(json, field(json)), json);
      assertEquals(expected, fast(json, field(json)), json);
    }
    assertEquals("{\"type\":\"input_audio_buffer.append\",\"event_id\":\"evt_1\",\"audio\":960}",
        fast(accepted.get(1), "audio"));
    assertEquals("{\"type\":\"input_audio_buffer.append\",\"audio\":2,\"n\":-3,\"t\":true,\"f\":false,\"z\":null}",
        fast(accepted.get(4), "audio"));
  }

  private static String field(String json) {
    return json.contains("\"delta\"") ? "delta" : "audio";
  }

  @Test
  void declinesWhatOnlyAParserCanReadAndNeverWritesWhatTheParserWouldReject() {
    List<String> declined = List.of(
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAAA\",\"meta\":{\"a\":1}}",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAAA\",\"list\":[1]}",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AA\\u0041A\"}",
        "{\"type\":\"input_audio_buffer.append\",\"event_id\":\"caf\u00e9\",\"audio\":\"AAAA\"}",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAAA\",\"x\":1.5}",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAAA\",\"x\":1e3}",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAAA\",\"x\":01}",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAAA\",}",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAAA\"",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":\"AAAA\"}}",
        "{\"type\":\"input_audio_buffer.append\" \"audio\":\"AAAA\"}",
        "{\"type\":\"input_audio_buffer.append\",\"audio\":tru}",
        "[\"input_audio_buffer.append\"]",
        "");
    for (String json : declined) {
      assertNull(fast(json, "audio"), json);
    }
  }

  /** Random flat objects, some broken on purpose: wherever the fast path answers, the parser agrees byte for byte. */
  @Test
  void agreesWithTheParserOnRandomInput() {
    Random random = new Random(8);
    String[] pieces = {"\"type\"", "\"audio\"", "\"delta\"", "\"event_id\"", ":", ",", " ", "\"AAAA\"", "\"AA==\"",
        "\"x y\"", "0", "-12", "7", "true", "null", "false", "1.5", "{", "}", "\"\\n\"", "\"\u00e9\"", "[", "]"};
    int answered = 0;
    for (int n = 0; n < 20_000; n++) {
      StringBuilder json = new StringBuilder("{");
      int fields = random.nextInt(5);
      for (int f = 0; f < fields; f++) {
        if (random.nextInt(10) == 0) {
          json.append(pieces[random.nextInt(pieces.length)]);
        } else {
          json.append(f == 0 ? "" : ",").append(pieces[random.nextInt(4)]).append(':')
              .append(pieces[7 + random.nextInt(9)]);
        }
      }
      json.append(random.nextInt(20) == 0 ? "" : "}");
      String fast = fast(json.toString(), "audio");
      if (fast != null) {
        answered++;
        assertEquals(parsed(json.toString(), "audio"), fast, json.toString());
      }
    }
    // The generator must exercise the fast path, not only its refusals.
    assertEquals(true, answered > 5_000, "fast path answered " + answered);
  }
}
