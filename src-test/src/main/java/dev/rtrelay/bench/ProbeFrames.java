package dev.rtrelay.bench;

import java.util.Base64;

/**
 * The probe's wire format, built and read with plain string operations so neither the load generator nor the probe
 * upstream spends time in a JSON library: the relay under test is the only thing that should cost anything.
 * A client frame is a realistic 20 ms {@code input_audio_buffer.append} (1280 base64 characters of PCM16 24 kHz);
 * its {@code event_id} carries the session's sequence number and the send time, and so do the first 16 bytes of
 * its audio, for translated paths (Gemini), which pass the audio through but give events their own ids.
 */
final class ProbeFrames {
  static final String APPEND_PREFIX = "{\"type\":\"input_audio_buffer.append\",\"event_id\":\"";
  static final String DELTA_PREFIX = "{\"type\":\"response.output_audio.delta\",\"event_id\":\"";
  static final String AUDIO_FIELD = "\",\"audio\":\"";
  static final String DELTA_FIELD = "\",\"delta\":\"";
  private static final String DELTA_KEY = "\"delta\":\"";
  static final String AUDIO_20MS = Base64.getEncoder().encodeToString(new byte[960]);
  /** The audio after the first 18 bytes (a multiple of 3, so base64 pieces concatenate). */
  private static final String AUDIO_TAIL = Base64.getEncoder().encodeToString(new byte[960 - 18]);
  private static final String AUDIO_DELTA_TYPE = "\"type\":\"response.output_audio.delta\"";
  static final String SESSION_CREATED = "{\"type\":\"session.created\",\"event_id\":\"probe\",\"session\":{}}";

  private ProbeFrames() {}

  static String append(long seq, long sentNanos) {
    return APPEND_PREFIX + seq + ':' + sentNanos + AUDIO_FIELD + stampedAudio(seq, sentNanos) + "\"}";
  }

  /** 20 ms of silence whose first 16 bytes are the sequence number and the send time. */
  static String stampedAudio(long seq, long sentNanos) {
    byte[] head = java.nio.ByteBuffer.allocate(18).putLong(seq).putLong(sentNanos).array();
    return Base64.getEncoder().encodeToString(head) + AUDIO_TAIL;
  }

  /** Sequence number and send time from a translated path's audio delta, or null if the frame is not one. */
  static long[] stampOfDelta(String answer) {
    if (!answer.contains(AUDIO_DELTA_TYPE)) {
      return null;
    }
    int delta = answer.indexOf(DELTA_KEY);
    if (delta < 0 || answer.length() < delta + DELTA_KEY.length() + 24) {
      return null;
    }
    int start = delta + DELTA_KEY.length();
    java.nio.ByteBuffer head = java.nio.ByteBuffer.wrap(Base64.getDecoder().decode(answer.substring(start,
        start + 24)));
    return new long[] {head.getLong(), head.getLong()};
  }

  /** The probe upstream's answer: the same payload as an audio delta, or null for anything else. */
  static String answer(String clientFrame) {
    if (!clientFrame.startsWith(APPEND_PREFIX)) {
      return null;
    }
    int audio = clientFrame.indexOf(AUDIO_FIELD, APPEND_PREFIX.length());
    if (audio < 0) {
      return null;
    }
    return DELTA_PREFIX + clientFrame.substring(APPEND_PREFIX.length(), audio) + DELTA_FIELD
        + clientFrame.substring(audio + AUDIO_FIELD.length());
  }

  /** An answer of the OpenAI-protocol probe, whose event_id is the client's "seq:nanos" (a translator's is not). */
  private static boolean probeAnswer(String answer) {
    return answer.startsWith(DELTA_PREFIX) && answer.length() > DELTA_PREFIX.length()
        && Character.isDigit(answer.charAt(DELTA_PREFIX.length()));
  }

  /** Sequence number of an answer, or -1 if the frame is not one. */
  static long seq(String answer) {
    if (!probeAnswer(answer)) {
      long[] stamp = stampOfDelta(answer);
      return stamp == null ? -1 : stamp[0];
    }
    int colon = answer.indexOf(':', DELTA_PREFIX.length());
    return Long.parseLong(answer, DELTA_PREFIX.length(), colon, 10);
  }

  /** Send time carried by an answer. */
  static long sentNanos(String answer) {
    if (!probeAnswer(answer)) {
      return stampOfDelta(answer)[1];
    }
    int colon = answer.indexOf(':', DELTA_PREFIX.length());
    int end = answer.indexOf('"', colon);
    return Long.parseLong(answer, colon + 1, end, 10);
  }
}
