package dev.rtrelay.logger;

/**
 * What a logger node writes where, and how much it may hold while Kafka is unreachable.
 *
 * @param bootstrap Kafka bootstrap servers
 * @param maxBufferedEvents events held before the oldest are dropped (counted)
 * @param maxBufferedBytes bytes held before the oldest are dropped (counted)
 * @param maxInFlight records handed to the producer and not yet acknowledged
 */
public record LoggerSettings(String bootstrap, String topic, int maxBufferedEvents, long maxBufferedBytes,
    int maxInFlight) {
  public static LoggerSettings defaults(String bootstrap) {
    return new LoggerSettings(bootstrap, "realtime-events", 200_000, 256L * 1024 * 1024, 10_000);
  }
}
