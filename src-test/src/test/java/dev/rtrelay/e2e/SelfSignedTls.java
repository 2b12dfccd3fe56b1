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
}
