package dev.rtrelay.node;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The Vert.x options every node (relay and logger) starts from. They ask for the native transport (epoll on Linux),
 * which moves each relayed frame with fewer copies and system calls than Java NIO. Where the native library does
 * not load (another OS or CPU, a musl libc), Vert.x falls back to NIO on its own and {@link #describe} says so.
 */
public final class NodeVertxOptions {
  /** {@code -Drtrelay.native-transport=false} forces NIO, e.g. to compare the two or to rule the native code out. */
  public static final String NATIVE_TRANSPORT_PROPERTY = "rtrelay.native-transport";

  private NodeVertxOptions() {}

  public static VertxOptions create() {
    return new VertxOptions()
        .setPreferNativeTransport(nativeTransportWanted());
  }

  private static boolean nativeTransportWanted() {
    return !"false".equalsIgnoreCase(System.getProperty(NATIVE_TRANSPORT_PROPERTY));
  }

  /** One log line naming the transport in use and, when the native one was wanted but is missing, why. */
  public static String describe(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) {
      return "network transport: native (epoll)";
    }
    if (!nativeTransportWanted()) {
      return "network transport: Java NIO (" + NATIVE_TRANSPORT_PROPERTY + "=false)";
    }
    Throwable cause = vertx.unavailableNativeTransportCause();
    return "network transport: Java NIO (native transport unavailable: "
        + (cause == null ? "unknown reason" : cause.getMessage()) + ")";
  }
}
