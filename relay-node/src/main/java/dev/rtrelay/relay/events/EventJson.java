package dev.rtrelay.relay.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Streaming JSON work on realtime events: reading just the {@code type}, and copying an event into an envelope with
 * audio payloads replaced by their byte length. No object tree is built; the {@code type} is usually the first field,
 * so reading it touches a few bytes of a frame.
 */
final class EventJson {
  static final JsonFactory FACTORY = new JsonFactory();

  private EventJson() {}

  private static final byte[] TYPE_FIRST = "{\"type\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * The top-level {@code type} of a message. Realtime clients and providers put {@code type} first with no spaces,
   * so that prefix is matched byte for byte and the type read up to its closing quote, with no parser and no copy
   * of the (often 1.3 KB audio) message; anything else falls back to a streaming parse.
   */
  static String type(io.vertx.core.buffer.Buffer message) {
    int length = message.length();
    if (length > TYPE_FIRST.length) {
      boolean prefix = true;
      for (int i = 0; i < TYPE_FIRST.length && prefix; i++) {
        prefix = message.getByte(i) == TYPE_FIRST[i];
      }
      if (prefix) {
        for (int i = TYPE_FIRST.length; i < length; i++) {
          byte b = message.getByte(i);
          if (b == '"') {
            return message.getString(TYPE_FIRST.length, i, "UTF-8");
          }
          if (b == '\\') {
            break;
          }
        }
      }
    }
    return type(message.getBytes());
  }

  /** The top-level {@code type}, or null when the message is not a JSON object with a string type. */
  static String type(byte[] json) {
    try (JsonParser p = FACTORY.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("type".equals(name)) {
          return value == JsonToken.VALUE_STRING ? p.getText() : null;
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The top-level field holding base64 audio for this event type, in both GA and beta names; null for the rest.
   */
  static String audioField(String type) {
    return switch (type) {
      case "input_audio_buffer.append" -> "audio";
      case "response.output_audio.delta", "response.audio.delta" -> "delta";
      default -> null;
    };
  }

  /**
   * Copies {@code json} as the value of the generator's current field, replacing the string value of the top-level
   * {@code redactField} (if not null) with the byte length its base64 encodes. Throws on malformed JSON.
   */
  static void copy(byte[] json, String redactField, JsonGenerator g) throws IOException {
    try (JsonParser p = FACTORY.createParser(json)) {
      p.nextToken();
      if (redactField == null || p.currentToken() != JsonToken.START_OBJECT) {
        g.copyCurrentStructure(p);
        return;
      }
      g.writeStartObject();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        g.writeFieldName(name);
        if (name.equals(redactField) && p.currentToken() == JsonToken.VALUE_STRING) {
          g.writeNumber(base64Bytes(p.getTextCharacters(), p.getTextOffset(), p.getTextLength()));
        } else {
          g.copyCurrentStructure(p);
        }
      }
      g.writeEndObject();
    }
  }

  /** Decoded length of standard base64 text, from its length and padding alone. */
  static long base64Bytes(char[] text, int offset, int length) {
    int padding = 0;
    for (int i = offset + length - 1; i >= offset && text[i] == '='; i--) {
      padding++;
    }
    return base64Bytes(length, padding);
  }

  /** Decoded length of standard base64 text of {@code length} characters ending in {@code padding} '=' signs. */
  static long base64Bytes(int length, int padding) {
    return (long) length * 3 / 4 - padding;
  }
}
