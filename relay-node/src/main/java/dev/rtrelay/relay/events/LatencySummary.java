package dev.rtrelay.relay.events;

/**
 * A session's voice latency for its {@code session.closed} record, in milliseconds; -1 where no response had any.
 *
 * @param responses responses timed
 */
public record LatencySummary(int responses, long firstAudioP50Millis, long firstAudioMaxMillis,
    long firstTextP50Millis, long firstTextMaxMillis) {}
