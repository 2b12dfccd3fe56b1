package dev.rtrelay.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for the processes the harnesses and tests start. */
public final class Ports {
  private Ports() {}

  /** A port free on the loopback address now (the caller binds it soon after). */
  public static int free() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
