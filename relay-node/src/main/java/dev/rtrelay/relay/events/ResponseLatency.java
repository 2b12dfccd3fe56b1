package dev.rtrelay.relay.events;

/**
 * One response's voice latency, in nanoseconds; -1 where the response had none (a text-only reply has no audio).
 *
 * @param firstAudioNanos from the end of the user's turn to the response's first audio delta
 * @param firstTextNanos from the end of the user's turn to its first text or transcript delta
 * @param durationNanos from {@code response.created} to {@code response.done}
 * @param turnEnd what marked the end of the turn: {@code speech_stopped}, {@code committed}, {@code response.create}
 *     (the client's), or {@code response.created} (none of them: the provider's own start)
 */
public record ResponseLatency(long firstAudioNanos, long firstTextNanos, long durationNanos, String turnEnd) {}
