package dev.rtrelay.relay.ws;

/**
 * Reads the audio of an {@code input_audio_buffer.append} as the SDKs write it ({@code {"type":"input_audio_buffer
 * .append", ..., "audio":"<base64>"...}}, compact, type first) without parsing the event: such events arrive every
 * 20-40 ms per session and are mostly base64. Anything else (other spacing or order, escapes) returns null and
 * takes the general, parsing path, so this only ever decides how fast, never what.
 */
final class AppendAudio {
  static final String TYPE = "input_audio_buffer.append";
  private static final String PREFIX = "{\"type\":\"" + TYPE + "\"";
  private static final String AUDIO_KEY = ",\"audio\":\"";

  private AppendAudio() {}

  /** The base64 audio, or null when the text is not a plainly written append. */
  static String of(String text) {
    if (!text.startsWith(PREFIX) || text.indexOf('\\') >= 0) {
      return null;
    }
    int key = text.indexOf(AUDIO_KEY, PREFIX.length());
    if (key < 0) {
      return null;
    }
    int start = key + AUDIO_KEY.length();
    int end = text.indexOf('"', start);
    if (end < 0 || text.indexOf(AUDIO_KEY, end) >= 0) {
      return null;
    }
    // What follows must close the object or go on with other members: never a second value for the same key.
    char next = end + 1 < text.length() ? text.charAt(end + 1) : 0;
    return next == '}' || next == ',' ? text.substring(start, end) : null;
  }
}
