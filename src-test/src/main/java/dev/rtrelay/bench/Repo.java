package dev.rtrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where the harness finds the repository, the packaged jars, a JVM, and the process limits. */
public final class Repo {
  private Repo() {}

  /** The nearest directory upwards that holds {@code scripts/kafka-local} and {@code relay-node}. */
  public static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.exists(dir.resolve("scripts/kafka-local")) && Files.isDirectory(dir.resolve("relay-node"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("run from inside the repository (no scripts/kafka-local found upwards)");
  }

  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** A JVM running {@code mainClass} on this harness's own classpath. */
  static List<String> javaCommand(String mainClass, String... args) {
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        mainClass));
    command.addAll(List.of(args));
    return command;
  }

  /** The soft open-files limit of this process (children inherit it). */
  static long openFileLimit() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith("Max open files")) {
        String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
        return parts[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(parts[0]);
      }
    }
    return 1024;
  }
}
