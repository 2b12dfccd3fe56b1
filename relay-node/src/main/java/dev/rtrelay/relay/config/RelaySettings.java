package dev.rtrelay.relay.config;

/**
 * Transport limits of the relay ({@code relay_settings}, our own section; LiteLLM has no equivalent).
 *
 * @param maxMessageBytes largest WebSocket message accepted either way; realtime {@code session.update} with images
 *     reaches ~15 MiB, hence the 16 MiB default
 * @param pingIntervalSeconds a ping goes to both peers this often so idle load balancers keep long sessions; a peer
 *     silent for 3 intervals is considered dead. 0 disables both
 * @param perMessageDeflate whether the client side may negotiate compression (costs CPU and latency per frame)
 * @param upstreamConnectTimeoutSeconds handshake budget per deployment attempt
 * @param writeQueueMaxBytes bytes queued on one socket before its peer is paused
 * @param logAudio keep base64 audio in logged events (default: replaced by its byte length)
 * @param eventBufferMaxEvents session-event records one relay instance holds while loggers are slow or absent
 * @param drainSeconds on shutdown (SIGTERM), how long live sessions may go on before they are closed with 1001;
 *     Kubernetes' terminationGracePeriodSeconds must be longer
 * @param warmUpSessions sessions a starting node runs through a throwaway copy of itself before it listens, so its
 *     first real sessions do not meet a cold JIT; 0 turns the warm-up off
 */
public record RelaySettings(
    int maxMessageBytes,
    int pingIntervalSeconds,
    boolean perMessageDeflate,
    double upstreamConnectTimeoutSeconds,
    int writeQueueMaxBytes,
    boolean logAudio,
    int eventBufferMaxEvents,
    int drainSeconds,
    int warmUpSessions) {
  public static RelaySettings defaults() {
    return new RelaySettings(16 * 1024 * 1024, 20, false, 10, 1024 * 1024, false, 20_000, 30, 2_000);
  }
}
