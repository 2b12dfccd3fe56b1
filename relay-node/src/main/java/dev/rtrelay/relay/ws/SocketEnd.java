package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.wire.WireSink;
import dev.rtrelay.relay.wire.WireSource;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * One of a relayed session's two raw sockets, as its forwarders see it. Remembers that the socket closed, since a
 * {@link NetSocket} cannot be asked, so nothing is written to or paused on it afterwards.
 *
 * <p>Reads are taken with Vert.x's {@link NetSocketInternal#messageHandler}: each read's buffer reaches the session
 * straight from the event loop, where {@link NetSocket#handler} would pass it through an inbound queue first (a fifth
 * of the relay's own per-frame CPU, measured). Pausing then stops the socket's reads directly.
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

  /** Delivers every read to {@code reads}, on the socket's event loop. */
  void readsTo(Handler<Buffer> reads) {
    ((NetSocketInternal) socket).messageHandler(message -> {
      if (message instanceof ByteBuf bytes) {
        reads.handle(BufferInternal.safeBuffer(bytes));
      } else {
        ReferenceCountUtil.release(message);
      }
    });
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
