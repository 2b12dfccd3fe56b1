package dev.rtrelay.relay.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.eventstream.MessageDecoder;

/**
 * A Bedrock runtime for tests: {@code InvokeModelWithBidirectionalStream} over cleartext HTTP/2 with prior
 * knowledge, decoding the SDK's SigV4-signed event-stream envelopes (signatures are not checked) and answering in
 * Nova Sonic's event protocol, one scripted model per stream.
 *
 * <p>Scripts, by the text of an interactive USER text content: "call a tool" asks for {@code get_weather}; "interrupt me" starts
 * speaking and is interrupted; "throttle me" fails the stream with a throttling exception; "drop it" resets the
 * stream; anything else answers "Hello there" (a SPECULATIVE preview, 24 kHz audio, then the FINAL transcript).
 * The end of a USER AUDIO content is transcribed as "hi nova" and answered the same way. A TOOL result is answered
 * "It is sunny". Every answer is followed by a cumulative {@code usageEvent}.
 */
public final class FakeBedrock {
  /** Audio bytes in each answer: 0.1 s of 24 kHz PCM16. */
  public static final int ANSWER_AUDIO_BYTES = 4800;

  /** One HTTP/2 stream as the relay opened it. */
  public static final class Stream {
    public final String path;
    public final MultiMap headers;
    public final List<JsonObject> events = new CopyOnWriteArrayList<>();
    public volatile long audioBytes;
    public volatile int inputSampleRate;
    public volatile boolean inputEnded;
    /** The last running usage total the model reported. */
    public volatile JsonObject lastUsage;

    Stream(String path, MultiMap headers) {
      this.path = path;
      this.headers = headers;
    }

    /** Names of the Nova events received, in order. */
    public List<String> names() {
      return events.stream().map(e -> e.getJsonObject("event").fieldNames().iterator().next()).toList();
    }

    public List<JsonObject> named(String name) {
      return events.stream().map(e -> e.getJsonObject("event")).filter(e -> e.containsKey(name))
          .map(e -> e.getJsonObject(name)).toList();
    }
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Stream> streams = new CopyOnWriteArrayList<>();
  private volatile int refuseWith;

  private FakeBedrock(Vertx vertx) {
    this.vertx = vertx;
    server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
        .requestHandler(this::serve);
  }

  public static Future<FakeBedrock> start(Vertx vertx) {
    FakeBedrock fake = new FakeBedrock(vertx);
    return fake.server.listen(0, "127.0.0.1").map(s -> fake);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public List<Stream> streams() {
    return streams;
  }

  /** Refuse every new stream with this HTTP status (as Bedrock does for bad credentials or throttling). */
  public void refuseWith(int status) {
    refuseWith = status;
  }

  private void serve(HttpServerRequest request) {
    Stream stream = new Stream(request.path(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers()));
    streams.add(stream);
    HttpServerResponse response = request.response();
    if (refuseWith != 0) {
      String type = refuseWith == 403 ? "AccessDeniedException" : "ThrottlingException";
      response.setStatusCode(refuseWith).putHeader("content-type", "application/json")
          .putHeader("x-amzn-errortype", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/")
          .end(new JsonObject().put("message", "refused by the fake").encode());
      return;
    }
    // Bedrock answers with its headers at once; events follow as the model produces them.
    response.setStatusCode(200).putHeader("content-type", "application/vnd.amazon.eventstream").writeHead();
    Model model = new Model(vertx, stream, response);
    MessageDecoder decoder = new MessageDecoder(envelope -> {
      if (envelope.getPayload().length == 0) {
        return;
      }
      Message inner = Message.decode(ByteBuffer.wrap(envelope.getPayload()));
      JsonObject body = new JsonObject(new String(inner.getPayload(), StandardCharsets.UTF_8));
      JsonObject event = new JsonObject(new String(Base64.getDecoder().decode(body.getString("bytes")),
          StandardCharsets.UTF_8));
      stream.events.add(event);
      model.on(event.getJsonObject("event"));
    });
    request.handler(buffer -> decoder.feed(buffer.getBytes()));
    request.endHandler(v -> {
      stream.inputEnded = true;
      if (!response.ended() && !response.closed()) {
        response.end();
      }
    });
    request.exceptionHandler(e -> { });
  }

  /** The scripted model of one stream. */
  private static final class Model {
    private final Vertx vertx;
    private final Stream stream;
    private final HttpServerResponse response;
    private final Map<String, String> contentTypes = new LinkedHashMap<>();
    private final Map<String, String> contentRoles = new LinkedHashMap<>();
    private final Map<String, Boolean> interactive = new LinkedHashMap<>();
    private final StringBuilder text = new StringBuilder();
    private final AtomicInteger ids = new AtomicInteger();
    private long inSpeech;
    private long inText;
    private long outSpeech;
    private long outText;

    Model(Vertx vertx, Stream stream, HttpServerResponse response) {
      this.vertx = vertx;
      this.stream = stream;
      this.response = response;
    }

    void on(JsonObject event) {
      if (event.getValue("contentStart") instanceof JsonObject c) {
        contentTypes.put(c.getString("contentName"), c.getString("type"));
        contentRoles.put(c.getString("contentName"), c.getString("role"));
        interactive.put(c.getString("contentName"), c.getBoolean("interactive", false));
        if (c.getValue("audioInputConfiguration") instanceof JsonObject audio) {
          stream.inputSampleRate = audio.getInteger("sampleRateHertz");
        }
        text.setLength(0);
      } else if (event.getValue("textInput") instanceof JsonObject t) {
        text.append(t.getString("content"));
      } else if (event.getValue("audioInput") instanceof JsonObject a) {
        stream.audioBytes += Base64.getDecoder().decode(a.getString("content")).length;
      } else if (event.getValue("contentEnd") instanceof JsonObject c) {
        String type = contentTypes.get(c.getString("contentName"));
        String role = contentRoles.get(c.getString("contentName"));
        if ("AUDIO".equals(type)) {
          inSpeech += stream.audioBytes / 640;
          // A model takes a moment to answer speech; clients send their response.create meanwhile.
          vertx.setTimer(30, t -> {
            userTranscript("hi nova");
            answer("Hello there");
          });
        } else if ("TOOL".equals(type)) {
          inText += 3;
          answer("It is sunny");
        } else if ("TEXT".equals(type) && "USER".equals(role)
            && interactive.getOrDefault(c.getString("contentName"), false)) {
          // History (not interactive) is context, not a turn to answer.
          inText += text.length() / 4 + 1;
          said(text.toString());
        }
      }
    }

    private void said(String what) {
      if (what.contains("call a tool")) {
        String id = "content-" + ids.incrementAndGet();
        send("contentStart", new JsonObject().put("contentId", id).put("type", "TOOL").put("role", "TOOL"));
        send("toolUse", new JsonObject().put("contentId", id).put("toolUseId", "tooluse_1")
            .put("toolName", "get_weather").put("content", "{\"city\":\"Paris\"}"));
        send("contentEnd", new JsonObject().put("contentId", id).put("stopReason", "TOOL_USE").put("type", "TOOL"));
        outText += 8;
        usage();
      } else if (what.contains("interrupt me")) {
        String audio = "content-" + ids.incrementAndGet();
        send("contentStart", new JsonObject().put("contentId", audio).put("type", "AUDIO").put("role", "ASSISTANT"));
        send("audioOutput", new JsonObject().put("contentId", audio).put("content", pcm(960)));
        send("textOutput", new JsonObject().put("contentId", audio).put("role", "ASSISTANT")
            .put("content", "{ \"interrupted\" : true }"));
        send("contentEnd", new JsonObject().put("contentId", audio).put("stopReason", "INTERRUPTED")
            .put("type", "AUDIO"));
        outSpeech += 2;
        usage();
      } else if (what.contains("throttle me")) {
        exception("throttlingException", "Too many requests, please wait before trying again.");
      } else if (what.contains("drop it")) {
        response.reset(2);
      } else {
        answer("Hello there");
      }
    }

    private void userTranscript(String words) {
      String id = "content-" + ids.incrementAndGet();
      send("contentStart", new JsonObject().put("contentId", id).put("type", "TEXT").put("role", "USER")
          .put("additionalModelFields", "{\"generationStage\":\"FINAL\"}"));
      send("textOutput", new JsonObject().put("contentId", id).put("role", "USER").put("content", words));
      send("contentEnd", new JsonObject().put("contentId", id).put("stopReason", "END_TURN").put("type", "TEXT"));
    }

    private void answer(String words) {
      String preview = "content-" + ids.incrementAndGet();
      send("contentStart", new JsonObject().put("contentId", preview).put("type", "TEXT").put("role", "ASSISTANT")
          .put("additionalModelFields", "{\"generationStage\":\"SPECULATIVE\"}"));
      send("textOutput", new JsonObject().put("contentId", preview).put("role", "ASSISTANT")
          .put("content", words + " (preview)"));
      send("contentEnd", new JsonObject().put("contentId", preview).put("stopReason", "PARTIAL_TURN")
          .put("type", "TEXT"));
      String audio = "content-" + ids.incrementAndGet();
      send("contentStart", new JsonObject().put("contentId", audio).put("type", "AUDIO").put("role", "ASSISTANT"));
      send("audioOutput", new JsonObject().put("contentId", audio).put("content", pcm(ANSWER_AUDIO_BYTES / 2)));
      send("audioOutput", new JsonObject().put("contentId", audio).put("content", pcm(ANSWER_AUDIO_BYTES / 2)));
      send("contentEnd", new JsonObject().put("contentId", audio).put("stopReason", "END_TURN").put("type", "AUDIO"));
      outSpeech += 12;
      usage();
      String fin = "content-" + ids.incrementAndGet();
      send("contentStart", new JsonObject().put("contentId", fin).put("type", "TEXT").put("role", "ASSISTANT")
          .put("additionalModelFields", "{\"generationStage\":\"FINAL\"}"));
      send("textOutput", new JsonObject().put("contentId", fin).put("role", "ASSISTANT").put("content", words));
      send("contentEnd", new JsonObject().put("contentId", fin).put("stopReason", "END_TURN").put("type", "TEXT"));
      outText += 3;
      usage();
    }

    private void usage() {
      JsonObject usage = new JsonObject().put("totalInputTokens", inSpeech + inText)
          .put("totalOutputTokens", outSpeech + outText).put("totalTokens", inSpeech + inText + outSpeech + outText)
          .put("details", new JsonObject().put("total", new JsonObject()
              .put("input", new JsonObject().put("speechTokens", inSpeech).put("textTokens", inText))
              .put("output", new JsonObject().put("speechTokens", outSpeech).put("textTokens", outText))));
      stream.lastUsage = usage;
      send("usageEvent", usage);
    }

    private static String pcm(int bytes) {
      return Base64.getEncoder().encodeToString(new byte[bytes]);
    }

    private void send(String name, JsonObject body) {
      String json = new JsonObject().put("event", new JsonObject().put(name, body)).encode();
      Map<String, HeaderValue> h = new LinkedHashMap<>();
      h.put(":message-type", HeaderValue.fromString("event"));
      h.put(":event-type", HeaderValue.fromString("chunk"));
      h.put(":content-type", HeaderValue.fromString("application/json"));
      write(new Message(h, new JsonObject().put("bytes", Base64.getEncoder()
          .encodeToString(json.getBytes(StandardCharsets.UTF_8))).encode().getBytes(StandardCharsets.UTF_8)));
    }

    private void exception(String type, String message) {
      Map<String, HeaderValue> h = new LinkedHashMap<>();
      h.put(":message-type", HeaderValue.fromString("exception"));
      h.put(":exception-type", HeaderValue.fromString(type));
      h.put(":content-type", HeaderValue.fromString("application/json"));
      write(new Message(h, new JsonObject().put("message", message).encode().getBytes(StandardCharsets.UTF_8)));
    }

    private void write(Message m) {
      if (response.ended() || response.closed()) {
        return;
      }
      ByteBuffer bb = m.toByteBuffer();
      byte[] bytes = new byte[bb.remaining()];
      bb.get(bytes);
      response.write(Buffer.buffer(bytes));
    }
  }
}
