package dev.rtrelay.relay.ws;

/** A session the node can reach while it runs: keep-alive pings, budget closes, shutdown. */
interface LiveSession {
  String keyId();

  /** The team of the session's key, if any: a team's budget closes all its keys' sessions. */
  java.util.Optional<String> teamId();

  void ping();

  /** Closes both sides with the same code; the session then ends. */
  void close(short code, String reason);

  /** Tells the client why with an OpenAI-shaped error event, then closes both sides with {@code code}. */
  void closeWithError(String errorType, String message, short code, String reason);
}
