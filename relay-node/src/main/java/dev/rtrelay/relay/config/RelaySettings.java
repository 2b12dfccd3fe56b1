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
 * @param writeStallTimeoutSeconds how long a side may leave the relay's writes to it queued (its write queue full, the
 *     other side paused) before the session is closed, naming the side that stopped reading; 0 turns it off
 * @param logAudio keep base64 audio in logged events (default: replaced by its byte length)
 * @param eventBufferMaxEvents session-event records one relay instance holds while loggers are slow or absent
 * @param eventBufferMaxBytes the same bound in bytes, so that large records (a 16 MiB {@code session.update}, logged
 *     audio) cannot grow it without limit
 * @param maxLoggedEventBytes largest event a record carries whole; a larger one is recorded without its body (type
 *     and size only) and counted. Below Kafka's default {@code max.request.size} (1 MiB), so every record can be written
 * @param drainSeconds on shutdown (SIGTERM), how long live sessions may go on before they are closed with 1001;
 *     Kubernetes' terminationGracePeriodSeconds must be longer
 * @param warmUpSessions sessions a starting node runs through a throwaway copy of itself before it listens, so its
 *     first real sessions do not meet a cold JIT; 0 turns the warm-up off
 * @param handshakeTimeoutSeconds how long a connection may take to send a whole request head, from its opening or
 *     from the previous answer on a kept-alive connection; slower ones (slowloris) are closed
 * @param idleTimeoutSeconds with pings off, how long a session's peer may send nothing before it is closed (with
 *     pings on, a peer silent for three intervals is closed instead); 0 turns it off
 * @param authBrake failed authentications allowed per client address before it is refused with 429 for a while
 * @param voiceLatency time each response (turn end to first audio and text), for metrics, events and
 *     latency-based routing
 * @param trustedProxies addresses (IPs or CIDR ranges) of proxies in front of the relay, whose
 *     {@code X-Forwarded-For} names the client
 */
public record RelaySettings(
    int maxMessageBytes,
    int pingIntervalSeconds,
    boolean perMessageDeflate,
    double upstreamConnectTimeoutSeconds,
    int writeQueueMaxBytes,
    int writeStallTimeoutSeconds,
    boolean logAudio,
    int eventBufferMaxEvents,
    int eventBufferMaxBytes,
    int maxLoggedEventBytes,
    int drainSeconds,
    int warmUpSessions,
    int handshakeTimeoutSeconds,
    int idleTimeoutSeconds,
    AuthBrakeSettings authBrake,
    java.util.List<String> trustedProxies,
    boolean voiceLatency) {
  public static RelaySettings defaults() {
    return new RelaySettings(16 * 1024 * 1024, 20, false, 10, 1024 * 1024, 30, false, 20_000,
        32 * 1024 * 1024, 512 * 1024, 30, 2_000, 10, 60,
        AuthBrakeSettings.defaults(), java.util.List.of(), true);
  }
}
