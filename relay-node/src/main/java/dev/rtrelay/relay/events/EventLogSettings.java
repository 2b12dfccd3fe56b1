package dev.rtrelay.relay.events;

import dev.rtrelay.relay.config.LoggedEventTypes;

/**
 * What a relay logs and how much it may hold while loggers are slow or absent.
 *
 * @param types {@code logged_real_time_event_types}
 * @param logAudio keep base64 audio in logged events; by default it is replaced by its decoded byte length
 * @param maxBufferedEvents records waiting per relay verticle before new ones are dropped
 * @param maxBufferedBytes the same bound in bytes (records waiting or awaiting acknowledgement)
 * @param maxEventBytes largest event recorded whole; larger ones are recorded as type and size only
 * @param maxInFlightBatches batches sent to loggers and not yet acknowledged, per relay verticle
 */
public record EventLogSettings(
    LoggedEventTypes types,
    boolean logAudio,
    int maxBufferedEvents,
    long maxBufferedBytes,
    int maxEventBytes,
    int batchMaxEvents,
    int batchMaxBytes,
    long flushIntervalMillis,
    int maxInFlightBatches,
    long ackTimeoutMillis) {

  /**
   * Batches of up to 256 records or 256 KiB, flushed every 20 ms; 16 batches in flight; 2 s acknowledgement (a logger
   * answers once it has buffered a batch, in milliseconds; a batch sent to a logger that died is sent again after it).
   */
  public static EventLogSettings of(LoggedEventTypes types, boolean logAudio, int maxBufferedEvents,
      long maxBufferedBytes, int maxEventBytes) {
    return new EventLogSettings(types, logAudio, maxBufferedEvents, maxBufferedBytes, maxEventBytes, 256, 256 * 1024,
        20, 16, 2_000);
  }
}
