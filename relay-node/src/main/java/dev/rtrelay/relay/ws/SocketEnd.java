package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.wire.WireSink;
import dev.rtrelay.relay.wire.WireSource;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * One of a relayed session's two raw sockets, as its forwarders see it. Remembers that the socket closed, since a
 * {@link NetSocket} cannot be asked, so nothing is written to or paused on it afterwards.
 */
final class SocketEnd implements WireSink, WireSource {
  private final NetSocket socket;
  private boolean closed;

  SocketEnd(NetSocket socket) {
    this.socket = socket;
  }

  NetSocket socket() {
    return socket;
  }

  boolean closed() {
    return closed;
  }

  void markClosed() {
    closed = true;
  }

  /** Closes the TCP connection (after whatever was written before). */
  void close() {
    if (!closed) {
      socket.close();
    }
  }

  @Override
  public void write(Buffer bytes) {
    if (!closed) {
      socket.write(bytes);
    }
  }

  @Override
  public boolean writeQueueFull() {
    return !closed && socket.writeQueueFull();
  }

  @Override
  public void pause() {
    if (!closed) {
      socket.pause();
    }
  }

  @Override
  public void resume() {
    if (!closed) {
      socket.resume();
    }
  }
}
