package dev.rtrelay.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;

/** A PKCS12 trust store holding one PEM certificate, for a child JVM's {@code -Djavax.net.ssl.trustStore}. */
public final class TrustStore {
  public static final String PASSWORD = "bench-trust";

  private TrustStore() {}

  public static Path of(Path dir, Path certificatePem) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (InputStream in = Files.newInputStream(certificatePem)) {
      store.setCertificateEntry("upstream", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    Path file = dir.resolve("upstream-trust.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, PASSWORD.toCharArray());
    }
    return file;
  }

  /** The JVM options that make a child process trust it. */
  public static java.util.List<String> jvmOptions(Path store) {
    return java.util.List.of("-Djavax.net.ssl.trustStore=" + store, "-Djavax.net.ssl.trustStorePassword=" + PASSWORD);
  }
}
