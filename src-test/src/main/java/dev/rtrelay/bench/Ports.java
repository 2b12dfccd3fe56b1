package dev.rtrelay.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Free loopback ports for the processes the harnesses and tests start. */
public final class Ports {
  /**
   * Ports this JVM handed out already. The kernel may give the same free port to two binds in a row once the first
   * socket is closed; a caller that asks for two ports (a relay's client and management ports) must get two.
   */
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private Ports() {}

  /** A port free on the loopback address now, and not handed out before by this JVM (the caller binds it soon). */
  public static int free() throws IOException {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IOException("no loopback port free that this JVM has not handed out already");
  }
}
