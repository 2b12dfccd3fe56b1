package dev.rtrelay.relay.upstream;

import dev.rtrelay.relay.routing.DeploymentState;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.util.List;

/**
 * An open, paused upstream socket and the deployment it belongs to.
 *
 * @param earlyFrames frames that arrived with the handshake, before anyone could pause the socket; forward them first
 */
public record UpstreamConnection(WebSocket socket, DeploymentState deployment, List<WebSocketFrame> earlyFrames) {}
