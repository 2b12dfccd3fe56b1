package dev.rtrelay.relay.upstream;

import dev.rtrelay.relay.routing.DeploymentState;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.util.List;

/**
 * An open, paused upstream connection and the deployment it belongs to: a socket relayed frame by frame (OpenAI,
 * Azure, xAI, simulated) or a link the relay translates (Gemini, Vertex AI).
 *
 * @param socket the relayed socket, or null for a translated provider
 * @param earlyFrames frames that arrived with the handshake, before anyone could pause the socket; forward them first
 * @param link the translated provider's link, or null for a relayed one
 */
public record UpstreamConnection(DeploymentState deployment, WebSocket socket, List<WebSocketFrame> earlyFrames,
    ProviderLink link) {

  static UpstreamConnection relayed(DeploymentState deployment, WebSocket socket, List<WebSocketFrame> early) {
    return new UpstreamConnection(deployment, socket, early, null);
  }

  static UpstreamConnection translated(DeploymentState deployment, ProviderLink link) {
    return new UpstreamConnection(deployment, null, List.of(), link);
  }

  /** Closes a connection the session will not use. */
  public void close(short code, String reason) {
    if (link != null) {
      link.close(code, reason);
    } else if (!socket.isClosed()) {
      socket.close(code, reason);
    }
  }
}
