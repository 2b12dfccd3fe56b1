package dev.rtrelay.relay.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Gemini Live ({@code BidiGenerateContent}) server for tests: answers {@code setup} with {@code setupComplete} and
 * scripted turns with {@code serverContent}, in binary frames as Google does, and records every message and handshake.
 * Scripts: a text turn answers "Hello there" with usage; a text containing "interrupt" is cut off; "call a tool" asks
 * for {@code get_weather}; "go away" sends {@code goAway} and closes; audio turns (ended by {@code audioStreamEnd} or {@code activityEnd}) echo the audio back
 * with transcripts and a standalone usage frame.
 */
public final class FakeGemini {
  public record Handshake(String uri, MultiMap headers) {}

  private final HttpServer server;
  private final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private final List<Handshake> handshakes = new CopyOnWriteArrayList<>();

  private FakeGemini(Vertx vertx) {
    server = vertx.createHttpServer().webSocketHandler(this::serve);
  }

  public static Future<FakeGemini> start(Vertx vertx) {
    FakeGemini fake = new FakeGemini(vertx);
    return fake.server.listen(0, "127.0.0.1").map(s -> fake);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public List<JsonObject> received(String field) {
    return received.stream().filter(m -> m.containsKey(field)).toList();
  }

  public List<Handshake> handshakes() {
    return handshakes;
  }

  private void serve(ServerWebSocket ws) {
    handshakes.add(new Handshake(ws.uri(), MultiMap.caseInsensitiveMultiMap().addAll(ws.headers())));
    ByteArrayOutputStream audio = new ByteArrayOutputStream();
    ws.textMessageHandler(text -> {
      JsonObject m = new JsonObject(text);
      received.add(m);
      if (m.containsKey("setup")) {
        send(ws, new JsonObject().put("setupComplete", new JsonObject()));
      } else if (m.getValue("clientContent") instanceof JsonObject c && c.getBoolean("turnComplete", false)) {
        String said = received("clientContent").stream().flatMap(x -> x.getJsonObject("clientContent")
            .getJsonArray("turns").stream()).map(Object::toString).reduce("", String::concat);
        if (said.contains("go away")) {
          send(ws, new JsonObject().put("goAway", new JsonObject().put("timeLeft", "0s")));
          ws.close((short) 1000, "connection time limit");
        } else if (said.contains("call a tool") && received("toolResponse").isEmpty()) {
          send(ws, new JsonObject().put("toolCall", new JsonObject().put("functionCalls", new JsonArray()
              .add(new JsonObject().put("id", "fc_1").put("name", "get_weather")
                  .put("args", new JsonObject().put("city", "Paris"))))));
        } else if (said.contains("interrupt") && received("toolResponse").isEmpty()) {
          send(ws, content(new JsonObject().put("modelTurn", parts(new JsonObject().put("text", "Let me tell")))));
          send(ws, content(new JsonObject().put("interrupted", true)));
          send(ws, content(new JsonObject().put("turnComplete", true)));
        } else {
          send(ws, content(new JsonObject().put("modelTurn", parts(new JsonObject().put("text", "Hello ")))));
          send(ws, content(new JsonObject().put("modelTurn", parts(new JsonObject().put("text", "there")))));
          send(ws, content(new JsonObject().put("generationComplete", true)));
          send(ws, content(new JsonObject().put("turnComplete", true)).put("usageMetadata", new JsonObject()
              .put("promptTokenCount", 12).put("responseTokenCount", 5).put("totalTokenCount", 17)
              .put("promptTokensDetails", new JsonArray().add(modality("TEXT", 12)))
              .put("responseTokensDetails", new JsonArray().add(modality("TEXT", 5)))));
        }
      } else if (m.getValue("realtimeInput") instanceof JsonObject in) {
        if (in.getValue("audio") instanceof JsonObject a) {
          audio.writeBytes(Base64.getDecoder().decode(a.getString("data")));
        }
        if (in.getBoolean("audioStreamEnd", false) || in.containsKey("activityEnd")) {
          String echoed = Base64.getEncoder().encodeToString(audio.toByteArray());
          audio.reset();
          send(ws, content(new JsonObject().put("inputTranscription", new JsonObject().put("text", "hi "))));
          send(ws, content(new JsonObject().put("inputTranscription", new JsonObject().put("text", "gemini"))));
          send(ws, content(new JsonObject().put("modelTurn", parts(new JsonObject().put("inlineData",
              new JsonObject().put("mimeType", "audio/pcm;rate=24000").put("data", echoed))))));
          send(ws, content(new JsonObject().put("outputTranscription", new JsonObject().put("text", "an answer"))));
          send(ws, new JsonObject().put("usageMetadata", new JsonObject().put("promptTokenCount", 40)
              .put("responseTokenCount", 30).put("totalTokenCount", 70)
              .put("promptTokensDetails", new JsonArray().add(modality("AUDIO", 32)).add(modality("TEXT", 8)))
              .put("responseTokensDetails", new JsonArray().add(modality("AUDIO", 30)))));
          send(ws, content(new JsonObject().put("turnComplete", true)));
        }
      }
    });
  }

  private static JsonObject modality(String modality, int count) {
    return new JsonObject().put("modality", modality).put("tokenCount", count);
  }

  private static JsonObject parts(JsonObject part) {
    return new JsonObject().put("parts", new JsonArray().add(part));
  }

  private static JsonObject content(JsonObject serverContent) {
    return new JsonObject().put("serverContent", serverContent);
  }

  /** Google sends its JSON in binary frames. */
  private static void send(ServerWebSocket ws, JsonObject message) {
    ws.writeBinaryMessage(Buffer.buffer(message.encode()));
  }
}
