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
 * for {@code get_weather}; "long story" starts a turn and finishes it only when the next client content arrives;
 * "take it back" asks for a tool and cancels the call; "go away" sends {@code goAway}
 * (and, without resumption, closes as Google does when its time is up); "hang up" drops the connection with 1011;
 * audio turns (ended by {@code audioStreamEnd} or {@code activityEnd}) echo the audio back with transcripts and a
 * standalone usage frame. With resumption granted, every setup asking for it gets a {@code sessionResumptionUpdate}
 * handle, and so does every completed turn; turns already answered are not replayed on a resumed connection.
 */
public final class FakeGemini {
  public record Handshake(String uri, MultiMap headers) {}

  private final HttpServer server;
  private final boolean grantResumption;
  private final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private final List<Handshake> handshakes = new CopyOnWriteArrayList<>();
  private final List<String> handles = new CopyOnWriteArrayList<>();
  private final List<Short> closeCodes = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicLong audioBytes = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger answeredTurns = new java.util.concurrent.atomic.AtomicInteger();

  private FakeGemini(Vertx vertx, boolean grantResumption) {
    this.grantResumption = grantResumption;
    server = vertx.createHttpServer().webSocketHandler(this::serve);
  }

  public static Future<FakeGemini> start(Vertx vertx) {
    return start(vertx, true);
  }

  /** @param grantResumption whether setups asking for session resumption get handles */
  public static Future<FakeGemini> start(Vertx vertx, boolean grantResumption) {
    FakeGemini fake = new FakeGemini(vertx, grantResumption);
    return fake.server.listen(0, "127.0.0.1").map(s -> fake);
  }

  /** Resumption handles handed out, oldest first. */
  public List<String> handles() {
    return handles;
  }

  /** Close codes of connections the relay closed, in order. */
  public List<Short> closeCodes() {
    return closeCodes;
  }

  /** Audio bytes received over all connections. */
  public long audioBytes() {
    return audioBytes.get();
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
    boolean[] resumable = new boolean[1];
    boolean[] storyPending = new boolean[1];
    ws.closeHandler(v -> {
      if (ws.closeStatusCode() != null) {
        closeCodes.add(ws.closeStatusCode());
      }
    });
    ws.textMessageHandler(text -> {
      JsonObject m = new JsonObject(text);
      received.add(m);
      if (m.getValue("setup") instanceof JsonObject setup) {
        send(ws, new JsonObject().put("setupComplete", new JsonObject()));
        resumable[0] = grantResumption && setup.containsKey("sessionResumption");
        handOutHandle(ws, resumable[0]);
      } else if (m.getValue("clientContent") instanceof JsonObject c && storyPending[0]) {
        storyPending[0] = false;
        send(ws, content(new JsonObject().put("modelTurn", parts(new JsonObject().put("text", " upon a time")))));
        send(ws, content(new JsonObject().put("turnComplete", true)));
      } else if (m.getValue("clientContent") instanceof JsonObject c && c.getBoolean("turnComplete", false)) {
        // Only the latest turn counts: a resumed session does not answer earlier ones again.
        List<JsonObject> contents = received("clientContent");
        String said = contents.isEmpty() ? "" : contents.get(contents.size() - 1).getJsonObject("clientContent")
            .getJsonArray("turns").toString();
        for (int i = contents.size() - 2; i >= 0 && said.equals("[]"); i--) {
          said = contents.get(i).getJsonObject("clientContent").getJsonArray("turns").toString();
        }
        if (said.contains("go away")) {
          send(ws, new JsonObject().put("goAway", new JsonObject().put("timeLeft", "50s")));
          if (!resumable[0]) {
            ws.close((short) 1000, "connection time limit");
          }
        } else if (said.contains("long story")) {
          storyPending[0] = true;
          send(ws, content(new JsonObject().put("modelTurn", parts(new JsonObject().put("text", "Once")))));
        } else if (said.contains("hang up")) {
          ws.close((short) 1011, "internal error");
        } else if (said.contains("take it back")) {
          send(ws, new JsonObject().put("toolCall", new JsonObject().put("functionCalls", new JsonArray()
              .add(new JsonObject().put("id", "fc_2").put("name", "get_weather")
                  .put("args", new JsonObject().put("city", "Oslo"))))));
          send(ws, new JsonObject().put("toolCallCancellation", new JsonObject()
              .put("ids", new JsonArray().add("fc_2"))));
        } else if (said.contains("call a tool") && received("toolResponse").isEmpty()) {
          send(ws, new JsonObject().put("toolCall", new JsonObject().put("functionCalls", new JsonArray()
              .add(new JsonObject().put("id", "fc_1").put("name", "get_weather")
                  .put("args", new JsonObject().put("city", "Paris"))))));
        } else if (said.contains("interrupt") && received("toolResponse").isEmpty()) {
          send(ws, content(new JsonObject().put("modelTurn", parts(new JsonObject().put("text", "Let me tell")))));
          send(ws, content(new JsonObject().put("interrupted", true)));
          send(ws, content(new JsonObject().put("turnComplete", true)));
        } else {
          boolean tomorrow = said.contains("tomorrow");
          send(ws, content(new JsonObject().put("modelTurn", parts(new JsonObject().put("text",
              tomorrow ? "Rain " : "Hello ")))));
          send(ws, content(new JsonObject().put("modelTurn", parts(new JsonObject().put("text",
              tomorrow ? "tomorrow" : "there")))));
          send(ws, content(new JsonObject().put("generationComplete", true)));
          send(ws, content(new JsonObject().put("turnComplete", true)).put("usageMetadata", new JsonObject()
              .put("promptTokenCount", 12).put("responseTokenCount", 5).put("totalTokenCount", 17)
              .put("promptTokensDetails", new JsonArray().add(modality("TEXT", 12)))
              .put("responseTokensDetails", new JsonArray().add(modality("TEXT", 5)))));
          handOutHandle(ws, resumable[0]);
        }
      } else if (m.getValue("toolResponse") instanceof JsonObject) {
        // The Live API continues by itself after a toolResponse (a bare turnComplete would ask for another reply).
        send(ws, content(new JsonObject().put("modelTurn", parts(new JsonObject().put("text", "It is 20 degrees")))));
        send(ws, content(new JsonObject().put("turnComplete", true)));
      } else if (m.getValue("realtimeInput") instanceof JsonObject in) {
        if (in.getValue("audio") instanceof JsonObject a) {
          byte[] bytes = Base64.getDecoder().decode(a.getString("data"));
          audio.writeBytes(bytes);
          audioBytes.addAndGet(bytes.length);
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
          handOutHandle(ws, resumable[0]);
        }
      }
    });
  }

  private void handOutHandle(ServerWebSocket ws, boolean resumable) {
    if (resumable) {
      String handle = "handle-" + handshakes.size() + "-" + answeredTurns.incrementAndGet();
      handles.add(handle);
      send(ws, new JsonObject().put("sessionResumptionUpdate", new JsonObject().put("newHandle", handle)
          .put("resumable", true)));
    }
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
