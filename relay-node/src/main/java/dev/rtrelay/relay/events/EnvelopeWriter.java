package dev.rtrelay.relay.events;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Assembles one session's envelopes around their bodies. The session's fixed fields are encoded once, when the
 * session starts, instead of through a JSON generator for every record: with {@code "*"} a session logs a hundred
 * records a second. The fields keep the documented order ({@code docs/session-events.md}).
 */
final class EnvelopeWriter {
  /** Characters of the longest long, {@code -9223372036854775808}. */
  private static final int MAX_LONG_CHARS = 20;
  private static final byte[] START = utf8("{\"schema\":" + SessionEventLog.SCHEMA_VERSION + ",\"kind\":\"");
  private final byte[] afterKind;
  private final byte[] afterSeq;
  private final byte[] afterTimestamp;

  EnvelopeWriter(SessionInfo info) {
    afterKind = utf8("\",\"session_id\":" + quoted(info.sessionId()) + ",\"seq\":");
    afterSeq = utf8(",\"node_id\":" + quoted(info.nodeId()) + ",\"ts_us\":");
    afterTimestamp = utf8(",\"model\":" + quoted(info.model()) + ",\"deployment\":" + quoted(info.deployment())
        + ",\"key_alias\":" + quoted(info.keyAlias()) + ",\"team_id\":"
        + info.teamId().map(EnvelopeWriter::quoted).orElse("null"));
  }

  /**
   * The envelope for one record.
   *
   * @param kind one of the relay's own record kinds (plain ASCII, never client input)
   * @param body a JSON object whose fields follow the fixed ones
   */
  byte[] envelope(String kind, long seq, long timestampMicros, byte[] body) {
    int bodyFields = body.length - 2;
    byte[] out = new byte[START.length + kind.length() + afterKind.length + MAX_LONG_CHARS + afterSeq.length
        + MAX_LONG_CHARS + afterTimestamp.length + (bodyFields > 0 ? bodyFields + 1 : 0) + 1];
    int at = put(out, 0, START);
    for (int i = 0; i < kind.length(); i++) {
      out[at++] = (byte) kind.charAt(i);
    }
    at = put(out, at, afterKind);
    at = putLong(out, at, seq);
    at = put(out, at, afterSeq);
    at = putLong(out, at, timestampMicros);
    at = put(out, at, afterTimestamp);
    if (bodyFields > 0) {
      out[at++] = ',';
      System.arraycopy(body, 1, out, at, bodyFields);
      at += bodyFields;
    }
    out[at++] = '}';
    return at == out.length ? out : Arrays.copyOf(out, at);
  }

  private static int put(byte[] out, int at, byte[] part) {
    System.arraycopy(part, 0, out, at, part.length);
    return at + part.length;
  }

  private static int putLong(byte[] out, int at, long value) {
    byte[] digits = Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    return put(out, at, digits);
  }

  private static String quoted(String value) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + "\"";
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
