package dev.rtrelay.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rtrelay.relay.RelayNode;
import dev.rtrelay.relay.ServerOptions;
import dev.rtrelay.relay.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The seed docs' Python guardrail example (websockets library) against the relay: it prints the guardrail error
 * and sees close code 1011. Needs Debian's python3-websockets (.ci/run installs it); skipped where it is absent.
 */
class SeedPythonExampleTest {
  private static final String PYTHON = "/usr/bin/python3";

  private static boolean websocketsAvailable() throws Exception {
    try {
      Process p = new ProcessBuilder(List.of(PYTHON, "-c", "import websockets")).redirectErrorStream(true).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException noPython) {
      return false;
    }
  }

  @Test
  void seedPythonExamplePrintsTheGuardrailErrorAndSeesClose1011() throws Exception {
    assumeTrue(websocketsAvailable(), "python3-websockets not installed (apt-get install python3-websockets)");
    String yaml = """
        model_list:
          - model_name: openai-gpt-4o-realtime-audio
            litellm_params: {model: simulated/gpt-4o-realtime}
        guardrails:
          - guardrail_name: your-guardrail-name
            litellm_params:
              guardrail: litellm_content_filter
              mode: pre_call
              blocked_words: [{keyword: system update, action: BLOCK, description: Prompt injection attempt}]
        general_settings:
          master_key: sk-1234
        """;
    Vertx vertx = Vertx.vertx();
    try {
      RelayNode relay = RelayNode.start(vertx, new ConfigLoader(n -> null).parse(yaml, "seed"),
          ServerOptions.plain("127.0.0.1", 0, 1)).await(30, TimeUnit.SECONDS);
      String url = "ws://127.0.0.1:" + relay.port()
          + "/v1/realtime?model=openai-gpt-4o-realtime-audio&guardrails=your-guardrail-name";
      Process p = new ProcessBuilder(List.of(PYTHON, Path.of("python", "seed_guardrail_example.py").toString(), url))
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
      assertTrue(out.contains("Connected — guardrail active"), out);
      assertTrue(out.contains("Guardrail blocked: Guardrail blocked this request: Content blocked: keyword 'system "
          + "update' detected (Prompt injection attempt)"), out);
      assertTrue(out.contains("close code: 1011"), out);
      relay.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
