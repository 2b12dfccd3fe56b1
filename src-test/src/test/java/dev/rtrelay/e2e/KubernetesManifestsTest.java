package dev.rtrelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryXmlConfig;
import dev.rtrelay.logger.LoggerMetricsServer;
import dev.rtrelay.metrics.NodeMetrics;
import dev.rtrelay.relay.RelayNode;
import dev.rtrelay.relay.ServerOptions;
import dev.rtrelay.relay.config.ConfigLoader;
import dev.rtrelay.relay.config.RelayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The k8s/ manifests, checked without a cluster: every kustomization renders ({@code kubectl kustomize}), every
 * object validates against the Kubernetes API schemas ({@code node/validate-k8s.mjs}), and the objects agree with
 * each other and with the nodes: selectors select pods, ports and probe paths are ones the nodes serve, mounted
 * files exist in their ConfigMaps, every environment variable the relay config reads is set, the Hazelcast config
 * discovers through the headless Service, images are pinned.
 */
class KubernetesManifestsTest {
  private static final Path K8S = Path.of("..", "k8s");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern VAR = Pattern.compile("\\$\\(([A-Z_][A-Z0-9_]*)\\)");

  @TempDir Path tmp;

  private Path render(String kustomization) throws Exception {
    Path out = tmp.resolve(kustomization.replace('/', '-') + ".yaml");
    Process p = new ProcessBuilder("kubectl", "kustomize", K8S.resolve(kustomization).toString())
        .redirectOutput(out.toFile()).redirectErrorStream(false).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize hung");
    assertEquals(0, p.exitValue(), "kubectl kustomize " + kustomization + ": " + err);
    return out;
  }

  private static List<JsonNode> documents(Path file) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
      Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          docs.add(n);
        }
      }
    }
    return docs;
  }

  @Test
  void everyKustomizationRendersAndValidatesAgainstTheKubernetesSchemas() throws Exception {
    List<String> files = new ArrayList<>();
    for (String k : new String[] {"base", "overlays/dev", "overlays/production", "examples/strimzi"}) {
      files.add(render(k).toAbsolutePath().toString());
    }
    JsonObject result = NodeScript.run("validate-k8s.mjs", files, Map.of());
    assertTrue(result.getBoolean("ok"), result.encodePrettily());
    assertTrue(result.getInteger("documents") >= 40, result.encode());
  }

  @Test
  void devOverlayObjectsAgreeWithEachOtherAndWithTheNodes() throws Exception {
    crossCheck(documents(render("overlays/dev")), true);
  }

  @Test
  void productionOverlayObjectsAgreeWithEachOtherAndWithTheNodes() throws Exception {
    crossCheck(documents(render("overlays/production")), false);
  }

  private void crossCheck(List<JsonNode> docs, boolean secretsRendered) throws Exception {
    Map<String, JsonNode> deployments = byKind(docs, "Deployment");
    Map<String, JsonNode> configMaps = byKind(docs, "ConfigMap");
    Map<String, JsonNode> secrets = byKind(docs, "Secret");
    Map<String, JsonNode> services = byKind(docs, "Service");
    assertEquals(List.of("rtrelay-logger", "rtrelay-relay"), deployments.keySet().stream().sorted().toList());
    checkQuorum(deployments);

    for (JsonNode d : deployments.values()) {
      String name = d.at("/metadata/name").asText();
      JsonNode podLabels = d.at("/spec/template/metadata/labels");
      assertTrue(matches(d.at("/spec/selector/matchLabels"), podLabels), name + ": selector does not select its pods");
      JsonNode container = d.at("/spec/template/spec/containers/0");
      String image = container.path("image").asText();
      assertTrue(image.matches(".+:[0-9][^:]*") && !image.endsWith(":latest"), name + ": image not pinned: " + image);
      Map<String, Integer> ports = new HashMap<>();
      container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
      Map<String, JsonNode> env = new HashMap<>();
      container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
      for (JsonNode arg : container.path("args")) {
        Matcher m = VAR.matcher(arg.asText());
        while (m.find()) {
          assertTrue(env.containsKey(m.group(1)), name + ": args use $(" + m.group(1) + ") but env does not set it");
        }
      }
      for (JsonNode e : env.values()) {
        JsonNode secretRef = e.at("/valueFrom/secretKeyRef");
        if (!secretRef.isMissingNode() && secretsRendered) {
          JsonNode secret = secrets.get(secretRef.path("name").asText());
          assertTrue(secret != null, name + ": secret " + secretRef.path("name").asText() + " not rendered");
          assertTrue(secret.path("data").has(secretRef.path("key").asText()) || secret.path("stringData")
              .has(secretRef.path("key").asText()), name + ": secret key " + secretRef.path("key").asText());
        }
        JsonNode cmRef = e.at("/valueFrom/configMapKeyRef");
        if (!cmRef.isMissingNode()) {
          JsonNode cm = configMaps.get(cmRef.path("name").asText());
          assertTrue(cm != null && cm.path("data").has(cmRef.path("key").asText()),
              name + ": configmap key " + cmRef.path("name").asText() + "/" + cmRef.path("key").asText());
        }
      }
      for (String probe : new String[] {"startupProbe", "readinessProbe", "livenessProbe"}) {
        JsonNode http = container.path(probe).path("httpGet");
        assertFalse(http.isMissingNode(), name + ": " + probe + " missing");
        assertTrue(ports.containsKey(http.path("port").asText()), name + ": " + probe + " names an unknown port");
        assertTrue(http.path("path").asText().startsWith("/health/"), name + ": " + probe);
      }
      // Mounted files exist in their ConfigMaps, and the paths the args name are the mounted ones.
      Map<String, String> mountedFiles = new HashMap<>();
      for (JsonNode mount : container.path("volumeMounts")) {
        JsonNode volume = volume(d, mount.path("name").asText());
        JsonNode cmVolume = volume.path("configMap");
        if (cmVolume.isMissingNode()) {
          continue;
        }
        JsonNode cm = configMaps.get(cmVolume.path("name").asText());
        assertTrue(cm != null, name + ": volume " + mount.path("name").asText() + " names a missing ConfigMap");
        if (mount.has("subPath")) {
          assertTrue(cm.path("data").has(mount.path("subPath").asText()), name + ": subPath not in ConfigMap");
          mountedFiles.put(mount.path("mountPath").asText(), cm.path("data").path(mount.path("subPath").asText())
              .asText());
        } else {
          cm.path("data").fields().forEachRemaining(f -> mountedFiles.put(mount.path("mountPath").asText() + "/"
              + f.getKey(), f.getValue().asText()));
        }
      }
      String clusterXml = mountedFiles.get(argValue(container, "--cluster-config"));
      assertTrue(clusterXml != null, name + ": --cluster-config does not point at a mounted file");
      checkClusterConfig(clusterXml, services, deployments);
      assertTrue(ports.containsKey("hazelcast") && ports.get("hazelcast") == 5701, name + ": hazelcast port");
      assertEquals("true", podLabels.path("rtrelay.dev/cluster-member").asText(), name + ": not a cluster member");

      if (name.equals("rtrelay-relay")) {
        assertEquals(4000, ports.get("http"));
        assertEquals("4000", argValue(container, "--port"));
        assertEquals(9091, ports.get("management"));
        assertEquals("9091", argValue(container, "--management-port"));
        for (String probe : new String[] {"startupProbe", "readinessProbe", "livenessProbe"}) {
          assertEquals("management", container.path(probe).at("/httpGet/port").asText(), probe);
        }
        assertEquals("9091", d.at("/spec/template/metadata/annotations").path("prometheus.io/port").asText());
        String configYaml = mountedFiles.get(argValue(container, "--config"));
        assertTrue(configYaml != null, "--config does not point at a mounted file");
        checkConfigReloadable(d, container);
        // Runtime keys live in Kafka: a relay restarted or added by the HPA must find them there.
        assertTrue(argValue(container, "--keys-kafka") != null, "relays keep runtime keys in Kafka (--keys-kafka)");
        // Every os.environ/NAME the relay config reads must be set in the container's env.
        RelayConfig config = new ConfigLoader(n -> env.containsKey(n)
            ? "placeholder-value-for-" + n + "-0123456789abcdef" : null).parse(configYaml, "k8s relay config");
        assertTrue(d.at("/spec/template/spec/terminationGracePeriodSeconds").asInt()
            > config.relay().drainSeconds(), "terminationGracePeriodSeconds must exceed relay_settings.drain_seconds");
        checkRelayServes(container, configYaml, env);
      } else {
        assertEquals(9464, ports.get("metrics"));
        assertEquals("9464", argValue(container, "--metrics-port"));
        checkLoggerServes(container);
      }
    }
    for (JsonNode s : services.values()) {
      List<JsonNode> selected = deployments.values().stream()
          .filter(d -> matches(s.at("/spec/selector"), d.at("/spec/template/metadata/labels"))).toList();
      assertFalse(selected.isEmpty(), "service " + s.at("/metadata/name").asText() + " selects no pods");
      for (JsonNode port : s.at("/spec/ports")) {
        assertFalse(port.path("targetPort").asText().equals("management"),
            "service " + s.at("/metadata/name").asText() + " exposes the management port");
        for (JsonNode d : selected) {
          boolean named = false;
          for (JsonNode p : d.at("/spec/template/spec/containers/0/ports")) {
            named |= p.path("name").asText().equals(port.path("targetPort").asText());
          }
          assertTrue(named, "service port " + port.path("name").asText() + " targets no container port");
        }
      }
    }
    for (String kind : new String[] {"PodDisruptionBudget", "NetworkPolicy"}) {
      for (JsonNode o : byKind(docs, kind).values()) {
        JsonNode selector = kind.equals("NetworkPolicy") ? o.at("/spec/podSelector/matchLabels")
            : o.at("/spec/selector/matchLabels");
        assertTrue(deployments.values().stream().anyMatch(d -> matches(selector, d.at("/spec/template/metadata/labels"))),
            kind + " " + o.at("/metadata/name").asText() + " selects no pods");
      }
    }
    for (JsonNode hpa : byKind(docs, "HorizontalPodAutoscaler").values()) {
      assertTrue(deployments.containsKey(hpa.at("/spec/scaleTargetRef/name").asText()), "HPA target");
    }
    for (JsonNode ingress : byKind(docs, "Ingress").values()) {
      for (JsonNode rule : ingress.at("/spec/rules")) {
        for (JsonNode path : rule.at("/http/paths")) {
          JsonNode backend = path.at("/backend/service");
          JsonNode service = services.get(backend.path("name").asText());
          assertTrue(service != null, "ingress backend service");
          boolean port = false;
          for (JsonNode p : service.at("/spec/ports")) {
            port |= p.path("name").asText().equals(backend.at("/port/name").asText());
          }
          assertTrue(port, "ingress backend port");
        }
      }
    }
  }

  /** The headless Service that Hazelcast's DNS discovery names exists, lists not-ready pods and selects both nodes. */
  /**
   * Every member starts with the same --cluster-quorum (RTRELAY_CLUSTER_QUORUM), and it is either none or a majority
   * of the members the manifests run: anything less lets two halves of a partition both admit a key up to its limit,
   * and more than all of them keeps every relay unready.
   */
  private static void checkQuorum(Map<String, JsonNode> deployments) {
    Set<String> values = new java.util.HashSet<>();
    int members = 0;
    for (JsonNode d : deployments.values()) {
      members += d.at("/spec/replicas").asInt(1);
      JsonNode quorum = null;
      for (JsonNode e : d.at("/spec/template/spec/containers/0/env")) {
        if (e.path("name").asText().equals("RTRELAY_CLUSTER_QUORUM")) {
          quorum = e.path("value");
        }
      }
      assertTrue(quorum != null, d.at("/metadata/name").asText() + ": RTRELAY_CLUSTER_QUORUM not set");
      values.add(quorum.asText());
    }
    assertEquals(1, values.size(), "relays and loggers must use one quorum: " + values);
    int quorum = Integer.parseInt(values.iterator().next());
    assertTrue(quorum == 0 || (quorum > members / 2 && quorum <= members - 1),
        "quorum " + quorum + " for " + members + " members: a majority that survives losing one member, or 0");
    if (members <= 2) {
      assertEquals(0, quorum, members + " members: no majority survives losing one; no quorum");
    }
  }

  private static void checkClusterConfig(String xml, Map<String, JsonNode> services, Map<String, JsonNode> deployments) {
    Config config = new InMemoryXmlConfig(xml);
    var kubernetes = config.getNetworkConfig().getJoin().getKubernetesConfig();
    assertTrue(kubernetes.isEnabled(), "Kubernetes discovery is off");
    assertFalse(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
    String dns = kubernetes.getProperty("service-dns");
    JsonNode service = services.get(dns);
    assertTrue(service != null, "service-dns '" + dns + "' is not a rendered Service");
    assertEquals("None", service.at("/spec/clusterIP").asText());
    assertTrue(service.at("/spec/publishNotReadyAddresses").asBoolean());
    for (JsonNode d : deployments.values()) {
      assertTrue(matches(service.at("/spec/selector"), d.at("/spec/template/metadata/labels")),
          "the headless Service must select " + d.at("/metadata/name").asText());
    }
    assertTrue(config.getMapConfigs().containsKey("__vertx.nodeInfo"), "the Vert.x maps must stay configured");
  }

  /**
   * The relay, started on the ConfigMap's config, answers its probe paths and serves /metrics on its management
   * port, and none of them on the clients' port.
   */
  private static void checkRelayServes(JsonNode container, String configYaml, Map<String, JsonNode> env)
      throws Exception {
    String simulated = configYaml.replaceAll("model: (openai|azure|xai)/[\\w.-]+", "model: simulated/gpt-realtime");
    RelayConfig config = new ConfigLoader(n -> env.containsKey(n) ? "placeholder-value-for-" + n + "-0123456789abcdef"
        : null).parse(simulated, "k8s relay config");
    Vertx vertx = Vertx.vertx();
    try {
      RelayNode node = RelayNode.start(vertx, config, ServerOptions.plain("127.0.0.1", 0, 1))
          .await(30, TimeUnit.SECONDS);
      List<String> paths = new ArrayList<>();
      for (String probe : new String[] {"startupProbe", "readinessProbe", "livenessProbe"}) {
        paths.add(container.path(probe).at("/httpGet/path").asText());
      }
      paths.add("/metrics");
      assertServes(vertx, node.startManagement("127.0.0.1", 0).await(10, TimeUnit.SECONDS), paths);
      HttpClient http = vertx.createHttpClient();
      for (String path : paths) {
        assertEquals(404, (int) http.request(HttpMethod.GET, node.port(), "127.0.0.1", path).compose(r -> r.send())
            .map(r -> r.statusCode()).await(10, TimeUnit.SECONDS), "GET " + path + " on the clients' port");
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void checkLoggerServes(JsonNode container) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      int port = LoggerMetricsServer.start(vertx, new NodeMetrics(), "127.0.0.1", 0).await(10, TimeUnit.SECONDS)
          .actualPort();
      List<String> paths = new ArrayList<>();
      for (String probe : new String[] {"startupProbe", "readinessProbe", "livenessProbe"}) {
        paths.add(container.path(probe).at("/httpGet/path").asText());
      }
      paths.add("/metrics");
      assertServes(vertx, port, paths);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void assertServes(Vertx vertx, int port, List<String> paths) throws Exception {
    HttpClient http = vertx.createHttpClient();
    for (String path : paths) {
      int status = http.request(HttpMethod.GET, port, "127.0.0.1", path).compose(r -> r.send())
          .map(r -> r.statusCode()).await(10, TimeUnit.SECONDS);
      assertEquals(200, status, "GET " + path);
    }
  }

  /**
   * An updated relay ConfigMap must reach running pods, where the relay reloads it: mounted as a directory (a subPath
   * mount never sees an update) from a ConfigMap whose name has no content hash (a hashed one is a new ConfigMap on
   * every change, which restarts the pods instead).
   */
  private static void checkConfigReloadable(JsonNode deployment, JsonNode container) {
    String config = argValue(container, "--config");
    for (JsonNode mount : container.path("volumeMounts")) {
      if (config.startsWith(mount.path("mountPath").asText() + "/")) {
        assertFalse(mount.has("subPath"), "the relay config is mounted with subPath: updates never reach the pod");
        assertEquals("rtrelay-relay-config", volume(deployment, mount.path("name").asText()).at("/configMap/name")
            .asText(), "the relay ConfigMap's name must not carry a content hash");
        return;
      }
    }
    throw new AssertionError("--config " + config + " is not under a directory mount");
  }

  private static String argValue(JsonNode container, String option) {
    for (JsonNode arg : container.path("args")) {
      if (arg.asText().startsWith(option + "=")) {
        return arg.asText().substring(option.length() + 1);
      }
    }
    throw new AssertionError("no " + option + "= in args " + container.path("args"));
  }

  private static JsonNode volume(JsonNode deployment, String name) {
    for (JsonNode v : deployment.at("/spec/template/spec/volumes")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("volume " + name + " is mounted but not declared");
  }

  private static boolean matches(JsonNode selector, JsonNode labels) {
    if (selector.isMissingNode() || selector.isEmpty()) {
      return false;
    }
    Iterator<Map.Entry<String, JsonNode>> it = selector.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, JsonNode> byKind(List<JsonNode> docs, String kind) {
    Map<String, JsonNode> out = new HashMap<>();
    for (JsonNode d : docs) {
      if (d.path("kind").asText().equals(kind)) {
        out.put(d.at("/metadata/name").asText(), d);
      }
    }
    return out;
  }
}
