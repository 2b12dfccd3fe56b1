package dev.rtrelay.relay.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of a relayed session's two connections, taken over from Vert.x once the WebSocket upgrade is done: the relay's
 * own Netty handler replaces Vert.x's in the connection's pipeline, so each read reaches the session straight from the
 * event loop and each write goes straight to the channel. Vert.x's connection object, with its inbound and outbound
 * message queues (the outbound one alone holds 4 KiB per connection), is then no longer referenced and is collected:
 * an idle session costs its two channels and little else. Every callback runs on the session's event loop, inside its
 * Vert.x context, as the rest of the session code expects.
 */
public final class RawConnection extends ChannelInboundHandlerAdapter implements WireSink, WireSource {
  private static final Logger LOG = LoggerFactory.getLogger(RawConnection.class);

  private final ContextInternal context;
  private final String label;
  private ChannelHandlerContext channel;
  private Handler<Buffer> reads;
  private Runnable drained;
  private Runnable lost;
  private boolean closed;
  /** Set on the event loop before the idle close, read after it in {@code lost}, on the same loop. */
  private boolean silent;
  /**
   * Reading is paused by the relay (the other side's write queue is full, or a message is held): nothing read then
   * is the relay's doing, not the peer's silence, so the idle timeout does not count it against the peer.
   */
  private boolean paused;

  private RawConnection(ContextInternal context, String label) {
    this.context = context;
    this.label = label;
  }

  /**
   * Takes the connection under {@code socket} away from Vert.x; reads are held back until {@link #start}. Call it on
   * the socket's event loop, at once when the upgrade completes: a read Vert.x had already queued would be lost.
   *
   * @param label "client" or "upstream", for debug logs
   */
  public static RawConnection takeOver(NetSocket socket, String label) {
    ChannelPipeline pipeline = ((NetSocketInternal) socket).channelHandlerContext().pipeline();
    RawConnection end = new RawConnection(ContextInternal.current(), label);
    pipeline.channel().config().setAutoRead(false);
    pipeline.replace("handler", "relay", end);
    return end;
  }

  /**
   * Starts reading: every read goes to {@code reads}, a drained write queue to {@code drained}, and the end of the
   * connection (closed by either side, dropped, or silent past the idle timeout) to {@code lost}, once.
   */
  public void start(int writeQueueMaxBytes, Handler<Buffer> reads, Runnable drained, Runnable lost) {
    this.reads = reads;
    this.drained = drained;
    this.lost = lost;
    channel.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(writeQueueMaxBytes / 2,
        writeQueueMaxBytes));
    if (closed || !channel.channel().isActive()) {
      closed = true;
      lost.run();
      return;
    }
    resume();
  }

  /** Whether the relay closed this connection because its peer sent nothing for the idle timeout. */
  public boolean closedForSilence() {
    return silent;
  }

  public boolean closed() {
    return closed;
  }

  /**
   * Closes the TCP connection now, dropping what is still queued for it: for a peer that stopped reading, whose queue
   * would never flush.
   */
  public void abort() {
    if (!closed && channel != null) {
      channel.close();
    }
  }

  /** Closes the TCP connection once what was written before it is flushed. */
  public void close() {
    if (!closed && channel != null) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (!(message instanceof ByteBuf bytes) || reads == null || closed) {
      ReferenceCountUtil.release(message);
      return;
    }
    // The pooled read buffer itself, not a copy: valid during this call only. The forwarder copies what it keeps past
    // it, and each write of a part of it holds a reference of its own until the write is done.
    try {
      context.dispatch(BufferInternal.buffer(bytes), reads);
    } finally {
      bytes.release();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && drained != null && !closed) {
      context.dispatch(v -> drained.run());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    context.dispatch(v -> connectionEnded());
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      if (paused) {
        // The relay is not reading: the peer may well be sending (a provider streaming to a client that stopped
        // reading). The write-stall timeout names the side that holds the session up instead.
        return;
      }
      // Nothing read for the idle timeout: the peer is gone (answered pings would have arrived).
      LOG.debug("{} connection idle; closing", label);
      silent = true;
      ctx.close();
    } else {
      ReferenceCountUtil.release(event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("{} connection error: {}", label, cause.toString());
    ctx.close();
  }

  private void connectionEnded() {
    if (closed) {
      return;
    }
    closed = true;
    if (lost != null) {
      lost.run();
    }
  }

  @Override
  public void write(Buffer bytes) {
    if (closed) {
      return;
    }
    ByteBuf out = ((BufferInternal) bytes).getByteBuf();
    if (out.isDirect()) {
      // A part of a pooled read buffer, which Vert.x hands out wrapped as unreleasable: the slice under the wrapper
      // gets a reference of its own, which the channel drops once it has written it.
      out = out.unwrap().retain();
    }
    channel.writeAndFlush(out, channel.voidPromise());
  }

  @Override
  public boolean writeQueueFull() {
    return !closed && !channel.channel().isWritable();
  }

  @Override
  public void pause() {
    paused = true;
    if (!closed) {
      channel.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void resume() {
    paused = false;
    if (!closed) {
      channel.channel().config().setAutoRead(true);
    }
  }
}
