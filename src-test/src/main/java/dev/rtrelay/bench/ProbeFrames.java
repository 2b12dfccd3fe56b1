package dev.rtrelay.bench;

import java.util.Base64;

/**
 * The probe's wire format, built and read with plain string operations so neither the load generator nor the probe
 * upstream spends time in a JSON library: the relay under test is the only thing that should cost anything.
 * A client frame is a realistic 20 ms {@code input_audio_buffer.append} (1280 base64 characters of PCM16 24 kHz);
 * its {@code event_id} carries the session's sequence number and the send time.
 */
final class ProbeFrames {
  static final String APPEND_PREFIX = "{\"type\":\"input_audio_buffer.append\",\"event_id\":\"";
  static final String DELTA_PREFIX = "{\"type\":\"response.output_audio.delta\",\"event_id\":\"";
  static final String AUDIO_FIELD = "\",\"audio\":\"";
  static final String DELTA_FIELD = "\",\"delta\":\"";
  static final String AUDIO_20MS = Base64.getEncoder().encodeToString(new byte[960]);
  static final String SESSION_CREATED = "{\"type\":\"session.created\",\"event_id\":\"probe\",\"session\":{}}";

  private ProbeFrames() {}

  static String append(long seq, long sentNanos) {
    return APPEND_PREFIX + seq + ':' + sentNanos + AUDIO_FIELD + AUDIO_20MS + "\"}";
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

  /** Sequence number of an answer, or -1 if the frame is not one. */
  static long seq(String answer) {
    if (!answer.startsWith(DELTA_PREFIX)) {
      return -1;
    }
    int colon = answer.indexOf(':', DELTA_PREFIX.length());
    return Long.parseLong(answer, DELTA_PREFIX.length(), colon, 10);
  }

  /** Send time carried by an answer. */
  static long sentNanos(String answer) {
    int colon = answer.indexOf(':', DELTA_PREFIX.length());
    int end = answer.indexOf('"', colon);
    return Long.parseLong(answer, colon + 1, end, 10);
  }
}
