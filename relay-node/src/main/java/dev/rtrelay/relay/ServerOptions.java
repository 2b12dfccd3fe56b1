package dev.rtrelay.relay;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How the node listens (from the command line, not config.yaml, as with LiteLLM's {@code --port}/{@code --host}).
 *
 * @param port 0 picks a free port (tests)
 * @param instances relay verticle instances; each runs on its own event loop
 */
public record ServerOptions(String host, int port, Optional<Path> tlsCert, Optional<Path> tlsKey, int instances) {
  public boolean tls() {
    return tlsCert.isPresent();
  }

  public static ServerOptions plain(String host, int port, int instances) {
    return new ServerOptions(host, port, Optional.empty(), Optional.empty(), instances);
  }
}
