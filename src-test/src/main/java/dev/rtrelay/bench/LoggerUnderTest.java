package dev.rtrelay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The packaged logger node in its own JVM, joined to a cluster of its own with the relay under test: the production
 * shape, so the relay's CPU figure for event logging is the relay's alone (Kafka producer work is the logger's).
 */
final class LoggerUnderTest implements AutoCloseable {
  private final ChildProcess process;

  private LoggerUnderTest(ChildProcess process) {
    this.process = process;
  }

  /** A copy of config/cluster.xml with a cluster name unique to this run, so nothing else can join. */
  static Path clusterConfig(Path repo, Path work) throws Exception {
    String xml = Files.readString(repo.resolve("config/cluster.xml"))
        .replace("<cluster-name>rtrelay</cluster-name>", "<cluster-name>bench-" + UUID.randomUUID() + "</cluster-name>");
    Path file = work.resolve("cluster.xml");
    Files.writeString(file, xml);
    return file;
  }

  static LoggerUnderTest start(Path repo, Path work, Path clusterConfig, String kafka) throws Exception {
    Path jar = repo.resolve("logger-node/target/logger-node.jar");
    ChildProcess process = ChildProcess.start("logger", List.of(Repo.java(), "-Xmx512m", "-jar", jar.toString(),
        "--cluster", "--cluster-config", clusterConfig.toString(), "--kafka", kafka), work.resolve("logger.log"),
        Pattern.compile("(logger joined the cluster)"));
    try {
      process.awaitReady(120);
      return new LoggerUnderTest(process);
    } catch (Exception e) {
      process.close();
      throw e;
    }
  }

  ChildProcess process() {
    return process;
  }

  @Override
  public void close() throws Exception {
    process.close();
  }
}
