package dev.rtrelay.relay.upstream;

import dev.rtrelay.relay.routing.DeploymentState;
import dev.rtrelay.relay.wire.Frames;
import dev.rtrelay.relay.wire.RawConnection;
import io.vertx.core.buffer.Buffer;

/**
 * An open, paused upstream connection and the deployment it belongs to: a raw socket whose frames are relayed as
 * bytes (OpenAI, Azure, xAI, simulated) or a link the relay translates (Gemini, Vertex AI, Bedrock).
 *
 * @param socket the relayed connection, upgraded and not read yet, or null for a translated provider
 * @param early frame bytes that arrived with the handshake's 101; forwarded first (null when none)
 * @param link the translated provider's link, or null for a relayed one
 */
public record UpstreamConnection(DeploymentState deployment, RawConnection socket, Buffer early,
    ProviderLink link) {

  static UpstreamConnection relayed(DeploymentState deployment, UpstreamDialer.Upgraded upgraded) {
    return new UpstreamConnection(deployment, upgraded.connection(), upgraded.early(), null);
  }

  static UpstreamConnection translated(DeploymentState deployment, ProviderLink link) {
    return new UpstreamConnection(deployment, null, null, link);
  }

  /** Closes a connection the session will not use. */
  public void close(short code, String reason) {
    if (link != null) {
      link.close(code, reason);
    } else {
      socket.write(Frames.close(code, reason, true));
      socket.close();
    }
  }
}
