package dev.rtrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The packaged relay jar in its own JVM, configured with one alias {@code probe} pointing at the probe upstream. */
final class RelayUnderTest implements AutoCloseable {
  static final String KEY = "sk-bench-master";
  private final ChildProcess process;
  private final int port;
  private final Path gcLog;

  private RelayUnderTest(ChildProcess process, int port, Path gcLog) {
    this.gcLog = gcLog;
    this.process = process;
    this.port = port;
  }

  /**
   * @param clusterConfig join this cluster (where a logger node runs) and publish session events; empty: no logging
   * @param extraYaml appended to the relay's config (logging types, guardrails); empty for none
   */
  static RelayUnderTest start(Path work, String name, int probePort, Optional<Path> clusterConfig,
      String extraYaml, Runtime runtime) throws Exception {
    return start(work, name, probePort, clusterConfig, "", extraYaml, runtime);
  }

  /**
   * How relays are started in a run.
   *
   * @param jar the relay jar: the one this tree built, or another one to compare against (--relay-jar)
   * @param jvmOptions extra JVM options for every relay (profiling)
   */
  /** Seals WebRTC client secrets (sign-in is off without one): 32 random bytes, base64, new for every run. */
  private static final String TOKEN_SECRET = randomSecret();

  private static String randomSecret() {
    byte[] bytes = new byte[32];
    new java.security.SecureRandom().nextBytes(bytes);
    return java.util.Base64.getEncoder().encodeToString(bytes);
  }

  record Runtime(Path jar, List<String> jvmOptions) {}

  /** @param extraModels more {@code model_list} entries (YAML list items), e.g. a translated alias of the probe */
  static RelayUnderTest startWithAliases(Path work, String name, int probePort, String extraModels,
      Runtime runtime) throws Exception {
    return start(work, name, probePort, Optional.empty(), extraModels, "", runtime);
  }

  private static RelayUnderTest start(Path work, String name, int probePort, Optional<Path> clusterConfig,
      String extraModels, String extraYaml, Runtime runtime) throws Exception {
    Path jar = runtime.jar();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " missing: build first (mvn -B -q -DskipTests package)");
    }
    String yaml = """
        model_list:
          - model_name: probe
            litellm_params: {model: openai/probe, api_key: sk-bench-upstream, api_base: "http://127.0.0.1:%d"}
            model_info: {mode: realtime}
        %s
        general_settings:
          master_key: %s
          webrtc_token_secrets: ["%s"]
        """.formatted(probePort, extraModels.stripTrailing(), KEY, TOKEN_SECRET);
    yaml += extraYaml;
    Path config = work.resolve("relay-" + name + ".yaml");
    Files.writeString(config, yaml);
    List<String> command = new ArrayList<>(List.of(Repo.java(), "-Xmx1g"));
    // Every GC pause, to a file of its own: the cluster's heartbeat timeout (8 s) must stay far above them.
    command.add("-Xlog:gc:file=" + work.resolve("relay-" + name + "-gc.log"));
    command.addAll(runtime.jvmOptions());
    // A free management port too: several relays run side by side in one run.
    command.addAll(List.of("-jar", jar.toString(), "--config", config.toString(), "--host", "127.0.0.1", "--port",
        "0", "--management-port", "0"));
    clusterConfig.ifPresent(c -> command.addAll(List.of("--cluster", "--cluster-config", c.toString())));
    ChildProcess process = ChildProcess.start("relay-" + name, command, work.resolve("relay-" + name + ".log"),
        Pattern.compile("relay listening on ws://127\\.0\\.0\\.1:(\\d+)/"));
    try {
      return new RelayUnderTest(process, Integer.parseInt(process.awaitReady(180)),
          work.resolve("relay-" + name + "-gc.log"));
    } catch (Exception e) {
      process.close();
      throw e;
    }
  }

  Target target() {
    return target("probe");
  }

  /** A path to another alias of the relay's config (e.g. one added with {@code extraYaml}). */
  Target target(String alias) {
    return new Target("relay", port, "/v1/realtime?model=" + alias, KEY);
  }

  ChildProcess process() {
    return process;
  }

  /** The stop-the-world pauses the relay's GC log shows so far. */
  GcPauses gcPauses() throws IOException {
    return GcPauses.read(gcLog);
  }

  @Override
  public void close() throws Exception {
    process.close();
  }
}
