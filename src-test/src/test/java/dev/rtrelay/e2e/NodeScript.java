package dev.rtrelay.e2e;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one of the Node client scripts in {@code src-test/node} and returns the single JSON line it prints. */
final class NodeScript {
  private NodeScript() {}

  static Path nodeDir() {
    Path dir = Path.of(System.getProperty("rtrelay.nodeDir", "node"));
    if (!Files.isDirectory(dir.resolve("node_modules"))) {
      throw new IllegalStateException(dir + "/node_modules is missing: the src-test build runs 'npm ci' there "
          + "(generate-test-resources); run the tests through Maven");
    }
    return dir;
  }

  static JsonObject run(String script, Map<String, String> env) throws IOException, InterruptedException {
    return run(script, List.of(), env);
  }

  static JsonObject run(String script, List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    Path dir = nodeDir();
    Path stderr = Files.createTempFile("node-client", ".err");
    List<String> command = new java.util.ArrayList<>(List.of("node", script));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectError(stderr.toFile());
    pb.environment().putAll(env);
    Process process = pb.start();
    process.getOutputStream().close();
    String stdout;
    try (var in = process.getInputStream()) {
      stdout = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(script + " did not finish within 60 s");
    }
    String lastLine = stdout.strip().lines().reduce((a, b) -> b).orElse("");
    if (lastLine.isEmpty()) {
      throw new AssertionError(script + " printed nothing; stderr: " + Files.readString(stderr));
    }
    JsonObject result = new JsonObject(lastLine);
    result.put("exitCode", process.exitValue());
    Files.deleteIfExists(stderr);
    return result;
  }
}
