package dev.rtrelay.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Set-up against a provider some distance away (issue 20): a TLS probe behind a {@link DelayProxy} adding
 * {@code delayMillis} each way, reached directly (the client pays TLS and the upgrade across the distance itself),
 * through the relay dialling each time, and through the relay with {@code warm_connections} (only the upgrade
 * crosses the distance). The relay is next to its clients, as it is deployed.
 */
final class DistantProviderSetup {
  private DistantProviderSetup() {}

  static void run(Vertx vertx, Report report, Path work, RelayUnderTest.Runtime runtime, long delayMillis,
      int sessions) throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    HttpServer probe = ProbeUpstream.start(vertx, "127.0.0.1", 0, cert.keyCertOptions()).await();
    DelayProxy far = DelayProxy.start(vertx, "127.0.0.1", probe.actualPort(), delayMillis).await();
    List<String> jvm = new ArrayList<>(runtime.jvmOptions());
    jvm.addAll(TrustStore.jvmOptions(TrustStore.of(work, Path.of(cert.certificatePath()))));
    String models = """
          - model_name: far
            litellm_params: {model: openai/probe, api_key: sk-bench-upstream, api_base: "https://localhost:%d"}
            model_info: {mode: realtime}
          - model_name: far-warm
            litellm_params: {model: openai/probe, api_key: sk-bench-upstream, api_base: "https://localhost:%d",
                             warm_connections: 2}
            model_info: {mode: realtime}
        """.formatted(far.port(), far.port());
    String situation = "sequential, provider " + delayMillis + " ms away each way (TLS)";
    SetupBench setup = new SetupBench(vertx, cert.trustOptions());
    try (RelayUnderTest relay = RelayUnderTest.startWithAliases(work, "far", probe.actualPort(), models,
        new RelayUnderTest.Runtime(runtime.jar(), jvm))) {
      report.setup(situation, "direct", setup.sequential(new Target("direct", far.port(),
          "/v1/realtime?model=probe", null, true), sessions).await());
      report.setup(situation, "relay", setup.sequential(relay.target("far"), sessions).await());
      report.setup(situation, "relay, warm_connections: 2", setup.sequential(relay.target("far-warm"), sessions)
          .await());
    } finally {
      far.close().await();
      probe.close().await();
    }
  }
}
