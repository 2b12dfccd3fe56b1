package dev.rtrelay.e2e;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate for 127.0.0.1 made with openssl, because Node verifies the IP SAN and the official SDK only
 * speaks wss://.
 */
record SelfSignedTls(Path cert, Path key) {
  static SelfSignedTls create(Path dir) throws Exception {
    Path cert = dir.resolve("relay-cert.pem");
    Path key = dir.resolve("relay-key.pem");
    Process p = new ProcessBuilder(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", key.toString(), "-out", cert.toString()))
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("openssl failed: " + output);
    }
    return new SelfSignedTls(cert, key);
  }

  /** A relay node serving this certificate on 127.0.0.1 (any free port), configured with {@code yaml}. */
  dev.rtrelay.relay.RelayNode startRelay(io.vertx.core.Vertx vertx, String yaml) throws Exception {
    dev.rtrelay.relay.config.RelayConfig config = new dev.rtrelay.relay.config.ConfigLoader(name -> null)
        .parse(yaml, "e2e config");
    return dev.rtrelay.relay.RelayNode.start(vertx, config, new dev.rtrelay.relay.ServerOptions("127.0.0.1", 0,
        java.util.Optional.of(cert), java.util.Optional.of(key), 2)).await(30, TimeUnit.SECONDS);
  }
}
