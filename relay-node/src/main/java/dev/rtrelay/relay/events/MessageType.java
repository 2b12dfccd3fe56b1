package dev.rtrelay.relay.events;

import io.vertx.core.buffer.Buffer;

/** Reads a realtime message's top-level {@code type} cheaply (see {@link EventJson#type(Buffer)}). */
public final class MessageType {
  private MessageType() {}

  /** The type, or null when the message is not a JSON object with a string {@code type}. */
  public static String of(Buffer message) {
    return EventJson.type(message);
  }
}
