package dev.rtrelay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: documented options and non-zero exits for bad input, without starting a server. */
class RelayMainTest {
  @Test
  void helpDocumentsEveryOption() throws Exception {
    String usage = new CommandLine(new RelayMain(name -> null)).getUsageMessage();
    for (String option : new String[] {"--config", "--port", "--host", "--tls-cert", "--tls-key", "--instances",
        "--help", "hash-key"}) {
      assertTrue(usage.contains(option), option + " missing from --help:\n" + usage);
    }
  }

  @Test
  void invalidConfigExitsWithCode2(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("config.yaml");
    Files.writeString(bad, "model_list:\n  - model_name: a\n    litellm_params: {model: openai/gpt-realtime, "
        + "api_key: os.environ/NOT_SET_ANYWHERE}\n");
    assertEquals(2, RelayMain.run(new String[] {"--config", bad.toString()}, Map.<String, String>of()::get));
  }

  @Test
  void tlsCertWithoutKeyExitsWithCode2() throws Exception {
    assertEquals(2, RelayMain.run(new String[] {"--tls-cert", "/nonexistent.pem"}, name -> null));
  }

  @Test
  void unknownOptionIsAUsageError() throws Exception {
    assertEquals(2, RelayMain.run(new String[] {"--no-such-flag"}, name -> null));
  }
}
