package dev.rtrelay.events;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The wire format between relay nodes and logger nodes: one event-bus message carries many session-event records, so
 * the bus sees a few messages per second instead of one per frame. A record is a Kafka key (the session id) and value
 * (the envelope's JSON bytes), length-prefixed so neither side parses JSON to split a batch.
 *
 * <pre>
 * batch  := version:u8 (=1) count:i32 record*
 * record := keyLength:u16 key:utf8 valueLength:i32 value:bytes
 * </pre>
 */
public final class EventBatch {
  /** Event-bus address relay nodes send batches to; logger nodes consume it (point-to-point: one logger per batch). */
  public static final String ADDRESS = "rtrelay.session-events";
  /**
   * Where every logger node announces itself once a second (published, so every relay hears it): the body is a
   * {@link io.vertx.core.json.JsonObject} with {@code address} (the logger's own batch address) and {@code up}
   * (false once, as it stops). Relays send to loggers they heard from recently, one address each, so a logger that
   * freezes (heartbeats stop) or stops acknowledging is left out within seconds instead of getting its share of
   * batches by round robin.
   */
  public static final String LOGGERS_ADDRESS = "rtrelay.loggers";
  /** How often a logger announces itself on {@link #LOGGERS_ADDRESS}. */
  public static final long HEARTBEAT_MILLIS = 1_000;
  /**
   * Failure code of a logger's reply to a batch it could not decode: the batch is refused whole and the sender must
   * not send it again. Any other failure (no logger, timeout, a logger stopping) may be retried.
   */
  public static final int MALFORMED = 400;
  private static final byte VERSION = 1;

  private EventBatch() {}

  /** A logger node's own batch address (it consumes {@link #ADDRESS} too, for relays that have not heard from it). */
  public static String loggerAddress(String loggerId) {
    return ADDRESS + "." + loggerId;
  }

  /** Receives the records of a decoded batch. */
  @FunctionalInterface
  public interface RecordHandler {
    void record(String key, Buffer value);
  }

  /** Accumulates records; not thread-safe (one per event loop). */
  public static final class Builder {
    private Buffer buffer = newBuffer();
    private int count;

    private static Buffer newBuffer() {
      return Buffer.buffer(64 * 1024).appendByte(VERSION).appendInt(0);
    }

    public void add(String key, byte[] value) {
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      buffer.appendUnsignedShort(k.length).appendBytes(k).appendInt(value.length).appendBytes(value);
      count++;
    }

    public int count() {
      return count;
    }

    public int bytes() {
      return buffer.length();
    }

    /** Returns the finished batch and starts a new one. */
    public Buffer take() {
      Buffer done = buffer.setInt(1, count);
      buffer = newBuffer();
      count = 0;
      return done;
    }
  }

  /** Calls {@code handler} for every record, in order; throws {@link IllegalArgumentException} on a malformed batch. */
  public static int forEach(Buffer batch, RecordHandler handler) {
    int count = check(batch);
    int pos = 5;
    for (int i = 0; i < count; i++) {
      int keyLength = batch.getUnsignedShort(pos);
      String key = batch.getString(pos + 2, pos + 2 + keyLength, StandardCharsets.UTF_8.name());
      pos += 2 + keyLength;
      int valueLength = batch.getInt(pos);
      pos += 4;
      handler.record(key, batch.getBuffer(pos, pos + valueLength));
      pos += valueLength;
    }
    return count;
  }

  /**
   * Walks the batch's lengths without delivering anything, so that a damaged batch is refused whole, never half
   * delivered, and always with an {@link IllegalArgumentException} rather than an index error.
   *
   * @return the record count
   */
  private static int check(Buffer batch) {
    int length = batch.length();
    if (length < 5 || batch.getByte(0) != VERSION) {
      throw new IllegalArgumentException("not a version-" + VERSION + " event batch");
    }
    int count = batch.getInt(1);
    if (count < 0) {
      throw new IllegalArgumentException("event batch declares " + count + " records");
    }
    long pos = 5;
    for (int i = 0; i < count; i++) {
      if (pos + 2 > length) {
        throw new IllegalArgumentException("event batch ends inside record " + i + " of " + count);
      }
      pos += 2 + batch.getUnsignedShort((int) pos);
      if (pos + 4 > length) {
        throw new IllegalArgumentException("event batch ends inside record " + i + " of " + count);
      }
      int valueLength = batch.getInt((int) pos);
      pos += 4L + valueLength;
      if (valueLength < 0 || pos > length) {
        throw new IllegalArgumentException("event batch ends inside record " + i + " of " + count);
      }
    }
    if (pos != length) {
      throw new IllegalArgumentException("event batch has " + (length - pos) + " trailing bytes");
    }
    return count;
  }
}
