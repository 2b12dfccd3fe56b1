package dev.rtrelay.relay.wire;

import io.vertx.core.buffer.Buffer;

/** The socket a {@link FrameForwarder} writes to. */
public interface WireSink {
  void write(Buffer bytes);

  /** True while the socket's write queue is over its limit: the forwarder's source should stop reading. */
  boolean writeQueueFull();
}
