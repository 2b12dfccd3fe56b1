package dev.rtrelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.bench.Repo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start that fails on the configuration must say why, every time: the message is logged just before the process
 * exits, through an asynchronous appender whose queue used to be lost with the JVM (3 silent exits in 24 runs).
 */
class StartupErrorTest {
  private static final int RUNS = 50;

  @TempDir Path tmp;

  @Test
  void aConfigurationErrorIsPrintedBeforeEveryExit() throws Exception {
    Path config = tmp.resolve("bad.yaml");
    Files.writeString(config, """
        model_list:
          - model_name: gpt-realtime
            litellm_params: {model: openai/gpt-realtime, api_key: os.environ/RTRELAY_TEST_UNSET_VARIABLE}
        general_settings: {master_key: sk-startup-error-test}
        """);
    Path jar = Path.of("..", "relay-node", "target", "relay-node.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "jar missing: run the tests with 'mvn verify' (it packages it first)");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<String>> runs = new ArrayList<>();
      for (int i = 0; i < RUNS; i++) {
        runs.add(pool.submit(() -> {
          Process p = new ProcessBuilder(Repo.java(), "-jar", jar.toString(), "--config", config.toString())
              .redirectErrorStream(true).start();
          String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not exit");
          return p.exitValue() + "|" + out;
        }));
      }
      int silent = 0;
      for (Future<String> run : runs) {
        String result = run.get(120, TimeUnit.SECONDS);
        assertTrue(result.startsWith("2|"), "exit 2 expected: " + result);
        if (!result.contains("model_list[0].litellm_params.api_key: environment variable "
            + "RTRELAY_TEST_UNSET_VARIABLE is not set")) {
          silent++;
        }
      }
      assertEquals(0, silent, "runs whose error was printed nowhere, of " + RUNS);
    } finally {
      pool.shutdownNow();
    }
  }
}
