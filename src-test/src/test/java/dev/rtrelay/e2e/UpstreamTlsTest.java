package dev.rtrelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.bench.ChildProcess;
import dev.rtrelay.bench.ProbeUpstream;
import dev.rtrelay.bench.Repo;
import dev.rtrelay.bench.TrustStore;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relayed session to a wss:// provider, as every real OpenAI, Azure and xAI session is: the packaged relay dials
 * TLS with the host name checked, trusts what its JVM trusts, and refuses a provider whose certificate it does not.
 * (Every other test's fake provider speaks plain ws://, which is how a dialler that forgot TLS went unnoticed.)
 */
class UpstreamTlsTest {
  @TempDir Path tmp;

  @Test
  void aWssProviderIsDialledWithTlsAndAnUntrustedOneIsRefused() throws Exception {
    Vertx vertx = Vertx.vertx();
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    HttpServer provider = ProbeUpstream.start(vertx, "127.0.0.1", 0, cert.keyCertOptions()).await(10, TimeUnit.SECONDS);
    Path config = tmp.resolve("relay.yaml");
    Files.writeString(config, """
        model_list:
          - model_name: rt
            litellm_params: {model: openai/gpt-realtime, api_key: sk-upstream, api_base: "https://localhost:%d"}
        general_settings: {master_key: sk-tls-test-master}
        relay_settings: {warm_up_sessions: 0}
        """.formatted(provider.actualPort()));
    List<String> trusting = TrustStore.jvmOptions(TrustStore.of(tmp, Path.of(cert.certificatePath())));
    try (ChildProcess trusted = relay("relay-trusting", config, trusting);
        ChildProcess untrusted = relay("relay-default-trust", config, List.of())) {
      WebSocketClient client = vertx.createWebSocketClient();
      String first = firstMessage(vertx, client, Integer.parseInt(trusted.awaitReady(120)));
      assertEquals("session.created", new JsonObject(first).getString("type"), first);
      try {
        firstMessage(vertx, client, Integer.parseInt(untrusted.awaitReady(120)));
        throw new AssertionError("a provider with an untrusted certificate was accepted");
      } catch (Exception e) {
        Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
        assertTrue(cause instanceof UpgradeRejectedException r && r.getStatus() == 502, String.valueOf(cause));
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private ChildProcess relay(String name, Path config, List<String> jvmOptions) throws Exception {
    Path jar = Path.of("..", "relay-node", "target", "relay-node.jar").toAbsolutePath();
    List<String> command = new ArrayList<>(List.of(Repo.java(), "-Xmx256m"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString(), "--config", config.toString(), "--host", "127.0.0.1", "--port",
        "0", "--management-port", "0"));
    return ChildProcess.start(name, command, tmp.resolve(name + ".log"),
        Pattern.compile("relay listening on ws://127\\.0\\.0\\.1:(\\d+)/"));
  }

  private static String firstMessage(Vertx vertx, WebSocketClient client, int port) throws Exception {
    Promise<String> first = Promise.promise();
    return io.vertx.core.Future.<String>future(p -> client.webSocket().textMessageHandler(p::tryComplete)
        .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/realtime?model=rt")
            .addHeader("Authorization", "Bearer sk-tls-test-master")).onFailure(p::tryFail))
        .await(20, TimeUnit.SECONDS);
  }
}
