package dev.rtrelay.relay.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import dev.rtrelay.relay.cost.ResponseBill;
import dev.rtrelay.relay.cost.SessionCost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * Turns one session's frames into log envelopes: {@code session.opened}, one {@code event} per text message whose
 * type passes {@code logged_real_time_event_types}, one {@code response.usage} per billed response, and
 * {@code session.closed} with totals. Runs on the session's
 * event loop, inline with forwarding, so it does only bounded CPU work and never waits: records go to an
 * {@link EventSink} that drops (and counts) rather than blocks. Frames are observed <em>before</em> they are written
 * on, because writing hands the frame's buffer to Netty.
 */
public final class SessionEventLog {
  public static final int SCHEMA_VERSION = 1;

  private final SessionInfo info;
  private final EventLogSettings settings;
  private final EventSink sink;
  private final LongSupplier clockMicros;
  private final MessageAssembler fromClient = new MessageAssembler();
  private final EnvelopeWriter envelopes;
  private long seq;
  private long dropped;
  private long truncated;

  public SessionEventLog(SessionInfo info, EventLogSettings settings, EventSink sink, LongSupplier clockMicros) {
    this.info = info;
    this.settings = settings;
    this.sink = sink;
    this.clockMicros = clockMicros;
    this.envelopes = new EnvelopeWriter(info);
  }

  public static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /** Called for every client data frame, before it is forwarded. */
  public void onClientFrame(WebSocketFrame frame) {
    Buffer message = fromClient.accept(frame);
    if (message != null) {
      String type = EventJson.type(message);
      if (type != null) {
        onMessage(true, type, message);
      }
    }
  }

  /** Whether messages of this type are recorded ({@code logged_real_time_event_types}). */
  public boolean wants(String type) {
    return settings.types().matches(type);
  }

  /** A whole text message of the given type (the upstream side assembles and sniffs once for every consumer). */
  public void onMessage(boolean fromClientSide, String type, Buffer message) {
    // Most frames are not logged (default types): decide on the type alone, before copying anything.
    if (!settings.types().matches(type)) {
      return;
    }
    String direction = fromClientSide ? "client_to_upstream" : "upstream_to_client";
    String redact = settings.logAudio() ? null : EventJson.audioField(type);
    if (redact == null && message.length() > settings.maxEventBytes()) {
      // Not even copied: a 16 MiB session.update would cost the buffer, the event bus and Kafka (whose default
      // max.request.size is 1 MiB) more than the record is worth. Its type and size say it happened.
      truncated(direction, type, message.length());
      return;
    }
    byte[] json = message.getBytes();
    String redacted = redact == null ? null : FlatEventRedactor.redact(json, redact);
    if (redacted != null) {
      // The audio events, nearly every record under "*": no generator at all. Their type is one of three constants.
      if (redacted.length() > settings.maxEventBytes()) {
        truncated(direction, type, json.length);
        return;
      }
      String fields = "{\"direction\":\"" + direction + "\",\"event_type\":\"" + type + "\",\"event\":" + redacted + "}";
      offer("event", fields.getBytes(StandardCharsets.US_ASCII));
      return;
    }
    if (redact != null && json.length > settings.maxEventBytes()) {
      // An audio event the fast path could not read: its size after redaction is unknown, so it is kept whole only
      // when it fits as it is.
      truncated(direction, type, json.length);
      return;
    }
    emit("event", g -> {
      g.writeStringField("direction", direction);
      g.writeStringField("event_type", type);
      g.writeFieldName("event");
      EventJson.copy(json, redact, g);
    });
  }

  /**
   * An event over {@code relay_settings.max_logged_event_bytes}: recorded with its type and size in place of its
   * body, so the record still holds its place in {@code seq} and says what was left out.
   */
  private void truncated(String direction, String type, int bytes) {
    truncated++;
    sink.truncated();
    emit("event", g -> {
      g.writeStringField("direction", direction);
      g.writeStringField("event_type", type);
      g.writeObjectFieldStart("event");
      g.writeStringField("type", type);
      g.writeEndObject();
      g.writeNumberField("event_truncated_bytes", bytes);
    });
  }

  /** What one response used and cost: recorded for every response.done, whether or not that event is logged. */
  public void responseBilled(ResponseBill bill) {
    responseBilled(bill, null);
  }

  /** @param latency the response's voice latency, or null when it was not timed */
  public void responseBilled(ResponseBill bill, ResponseLatency latency) {
    emit("response.usage", g -> {
      writeOptional(g, "response_id", bill.responseId().orElse(null));
      writeOptional(g, "status", bill.status().orElse(null));
      CostJson.writeUsage(g, bill.usage());
      CostJson.writeCost(g, bill.cost());
      g.writeFieldName("session_cost_usd");
      CostJson.writeDecimal(g, bill.sessionCost().orElse(null));
      if (latency != null) {
        g.writeObjectFieldStart("latency_ms");
        writeMillis(g, "time_to_first_audio", latency.firstAudioNanos());
        writeMillis(g, "time_to_first_text", latency.firstTextNanos());
        writeMillis(g, "duration", latency.durationNanos());
        g.writeStringField("turn_end", latency.turnEnd());
        g.writeEndObject();
      }
    });
  }

  /** Milliseconds with a tenth, so that fast local figures are not all 0; null where there is no figure. */
  private static void writeMillis(JsonGenerator g, String name, long nanos)
      throws IOException {
    if (nanos < 0) {
      g.writeNullField(name);
    } else {
      g.writeNumberField(name, Math.round(nanos / 100_000.0) / 10.0);
    }
  }

  public void opened(ClientInfo client) {
    emit("session.opened", g -> {
      g.writeObjectFieldStart("client");
      g.writeStringField("ip", client.ip());
      writeOptional(g, "forwarded_for", client.forwardedFor().orElse(null));
      writeOptional(g, "user_agent", client.userAgent().orElse(null));
      writeOptional(g, "subprotocol", client.subprotocol().orElse(null));
      g.writeStringField("auth", client.authForm());
      g.writeEndObject();
    });
  }

  /** Totals for the closed envelope, gathered by the relay session. */
  public record Totals(String closedBy, Integer closeCode, String closeReason, long durationMillis,
      long framesFromClient, long bytesFromClient, long framesFromUpstream, long bytesFromUpstream) {}

  public void closed(Totals t, SessionCost cost) {
    closed(t, cost, null);
  }

  /** @param latency the session's voice latency, or null when it was not measured */
  public void closed(Totals t, SessionCost cost, LatencySummary latency) {
    emit("session.closed", g -> {
      g.writeStringField("closed_by", t.closedBy());
      if (t.closeCode() == null) {
        g.writeNullField("close_code");
      } else {
        g.writeNumberField("close_code", t.closeCode());
      }
      writeOptional(g, "close_reason", t.closeReason() == null || t.closeReason().isEmpty() ? null : t.closeReason());
      g.writeNumberField("duration_ms", t.durationMillis());
      g.writeObjectFieldStart("frames");
      g.writeNumberField("client_to_upstream", t.framesFromClient());
      g.writeNumberField("upstream_to_client", t.framesFromUpstream());
      g.writeEndObject();
      g.writeObjectFieldStart("bytes");
      g.writeNumberField("client_to_upstream", t.bytesFromClient());
      g.writeNumberField("upstream_to_client", t.bytesFromUpstream());
      g.writeEndObject();
      g.writeNumberField("dropped_events", dropped);
      g.writeNumberField("truncated_events", truncated);
      g.writeObjectFieldStart("usage");
      g.writeNumberField("responses", cost.responses());
      CostJson.writeUsageFields(g, cost.usage());
      g.writeEndObject();
      CostJson.writeCost(g, cost.cost());
      if (latency != null && latency.responses() > 0) {
        g.writeObjectFieldStart("latency_ms");
        g.writeNumberField("responses", latency.responses());
        writeSummary(g, "time_to_first_audio", latency.firstAudioP50Millis(), latency.firstAudioMaxMillis());
        writeSummary(g, "time_to_first_text", latency.firstTextP50Millis(), latency.firstTextMaxMillis());
        g.writeEndObject();
      }
    });
  }

  private static void writeSummary(JsonGenerator g, String name, long p50, long max)
      throws IOException {
    if (max < 0) {
      g.writeNullField(name);
      return;
    }
    g.writeObjectFieldStart(name);
    g.writeNumberField("p50", p50);
    g.writeNumberField("max", max);
    g.writeEndObject();
  }

  /**
   * A translated session replaced its provider connection mid-session (the client saw nothing of it): why, how many
   * times so far, and how long the client's messages were held. Resumption handles are credentials and never logged.
   */
  public void upstreamRenewed(String reason, int renewals, long heldMillis) {
    emit("upstream.renewed", g -> {
      g.writeStringField("reason", reason);
      g.writeNumberField("renewals", renewals);
      g.writeNumberField("took_ms", heldMillis);
    });
  }

  /** A guardrail blocked a message: which one, in which mode, on which rule; never the text. */
  public void guardrailBlocked(String guardrail, String mode, String category) {
    emit("guardrail.blocked", g -> {
      g.writeStringField("guardrail", guardrail);
      g.writeStringField("mode", mode);
      writeOptional(g, "category", category);
    });
  }

  public long droppedEvents() {
    return dropped;
  }

  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private void emit(String kind, Body body) {
    byte[] fields;
    try (ByteArrayBuilder out = new ByteArrayBuilder(256)) {
      try (JsonGenerator g = EventJson.FACTORY.createGenerator(out)) {
        g.writeStartObject();
        body.write(g);
        g.writeEndObject();
      }
      fields = out.toByteArray();
    } catch (IOException | RuntimeException malformed) {
      // A text frame that is not valid JSON: forwarded untouched, but there is nothing to log.
      return;
    }
    offer(kind, fields);
  }

  /** @param fields a JSON object whose fields follow the envelope's fixed ones */
  private void offer(String kind, byte[] fields) {
    byte[] envelope = envelopes.envelope(kind, seq, clockMicros.getAsLong(), fields);
    // seq advances only for records that exist, so consumers can detect drops as gaps.
    seq++;
    if (!sink.offer(info.sessionId(), envelope)) {
      dropped++;
    }
  }

  private static void writeOptional(JsonGenerator g, String field, String value) throws IOException {
    if (value == null) {
      g.writeNullField(field);
    } else {
      g.writeStringField(field, value);
    }
  }
}
