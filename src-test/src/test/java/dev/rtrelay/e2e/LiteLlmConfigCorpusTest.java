package dev.rtrelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.bench.ChildProcess;
import dev.rtrelay.bench.Ports;
import dev.rtrelay.bench.Repo;
import dev.rtrelay.relay.RelayNode;
import dev.rtrelay.relay.ServerOptions;
import dev.rtrelay.relay.config.ConfigLoader;
import dev.rtrelay.relay.config.DeploymentConfig;
import dev.rtrelay.relay.config.RelayConfig;
import dev.rtrelay.relay.config.SkippedDeployment;
import dev.rtrelay.relay.support.OnEventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configs in the shapes LiteLLM publishes (src/test/resources/litellm-corpus: chat, embedding, image and realtime
 * models of many providers, callbacks, Redis routing, databases, guardrails) start a relay unchanged; it serves
 * exactly their realtime deployments and offers nothing else on /v1/models.
 */
class LiteLlmConfigCorpusTest {
  private static final String CORPUS = "/litellm-corpus/";
  private static Vertx vertx;
  private static HttpClient http;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    http = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Every os.environ/ reference resolves: URLs to a placeholder URL, everything else to a placeholder value. */
  private static String placeholder(String name) {
    if (name.endsWith("_BASE") || name.endsWith("_URL") || name.endsWith("_HOST")) {
      return "https://placeholder.example.com";
    }
    return name.endsWith("_PORT") ? "6379" : "placeholder-" + name.toLowerCase() + "-0123456789";
  }

  private static String resource(String name) throws Exception {
    try (InputStream in = LiteLlmConfigCorpusTest.class.getResourceAsStream(CORPUS + name)) {
      assertTrue(in != null, name + " missing from the corpus");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void everyCorpusConfigStartsARelayThatServesExactlyItsRealtimeDeployments() throws Exception {
    Properties expected = new Properties();
    expected.load(new java.io.StringReader(resource("expected-served.properties")));
    assertTrue(expected.size() >= 5, "the corpus: " + expected.keySet());
    for (String file : expected.stringPropertyNames().stream().sorted().toList()) {
      RelayConfig config = new ConfigLoader(LiteLlmConfigCorpusTest::placeholder).parse(resource(file), file);
      List<String> served = config.deployments().stream().map(DeploymentConfig::modelName).toList();
      String wanted = expected.getProperty(file).trim();
      assertEquals(wanted.isEmpty() ? List.of() : Arrays.asList(wanted.split(",")), served, file);
      System.out.printf("%s: serves %s; skipped %s; not used: %s%n", file, served,
          config.skippedDeployments().stream().map(SkippedDeployment::modelName).toList(), config.settingsNotUsed());

      RelayNode node = RelayNode.start(vertx, config, ServerOptions.plain("127.0.0.1", 0, 1))
          .await(30, TimeUnit.SECONDS);
      try {
        int management = node.startManagement("127.0.0.1", 0).await(10, TimeUnit.SECONDS);
        JsonObject ready = get(management, "/health/readiness", null);
        assertEquals(served.isEmpty() ? "not_serving" : "ready", ready.getString("status"), file + ": " + ready);
        String key = config.masterKey().orElseThrow().reveal();
        List<String> offered = new ArrayList<>();
        get(node.port(), "/v1/models", key).getJsonArray("data")
            .forEach(m -> offered.add(((JsonObject) m).getString("id")));
        assertEquals(new java.util.TreeSet<>(served), new java.util.TreeSet<>(offered), file + ": /v1/models");
        assertEquals(offered.size(), new LinkedHashSet<>(offered).size(), file + ": each alias once");
      } finally {
        node.close().await(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void thePackagedRelayStartsOnALiteLlmProxyConfigAndSaysWhatItLeavesOut() throws Exception {
    Path config = tmp.resolve("proxy-server.yaml");
    Files.writeString(config, resource("proxy-server.yaml"));
    Path jar = Path.of("..", "relay-node", "target", "relay-node.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "jar missing: run the tests with 'mvn verify' (it packages it first)");
    int management = Ports.free();
    try (ChildProcess relay = ChildProcess.start("relay-litellm", List.of(Repo.java(), "-Xmx256m", "-jar",
        jar.toString(), "--config", config.toString(), "--host", "127.0.0.1", "--port", "0", "--management-port",
        String.valueOf(management)), tmp.resolve("relay.log"), Pattern.compile("(relay listening on)"))) {
      relay.awaitReady(120);
      String log = Files.readString(tmp.resolve("relay.log"));
      assertTrue(log.contains("model_list[0] 'gpt-3.5-turbo-eu' (gpt-3.5-turbo): not served: no provider prefix"),
          log);
      assertTrue(log.contains("'sagemaker-model' (sagemaker/some-llama-endpoint): not served: provider 'sagemaker'"),
          log);
      assertTrue(log.contains("'text-embedding-ada-002' (azure/embedding-deployment): not served: model_info.mode "
          + "is 'embedding'"), log);
      assertTrue(log.contains("not used by the relay: finetune_settings, files_settings, "), log);
      assertTrue(log.contains("general_settings.store_model_in_db"), log);
      assertTrue(log.contains("'usage-based-routing-v2' is not implemented by the relay; using least-busy"), log);
      assertTrue(log.contains("this config serves no client: no realtime deployment in model_list"), log);
      JsonObject ready = get(management, "/health/readiness", null);
      assertEquals("not_serving", ready.getString("status"), ready.encode());
    }
  }

  private static JsonObject get(int port, String uri, String key) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI(uri);
    if (key != null) {
      options.addHeader("Authorization", "Bearer " + key);
    }
    return OnEventLoop.call(vertx, () -> http.request(options).compose(req -> req.send())
        .compose(resp -> resp.body())).await(10, TimeUnit.SECONDS).toJsonObject();
  }
}
