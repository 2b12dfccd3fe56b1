package dev.rtrelay.soak;

import dev.rtrelay.bench.Ports;
import dev.rtrelay.bench.Repo;
import dev.rtrelay.e2e.kafka.KafkaBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fault suite: the production shape on one machine (a KRaft broker, two logger nodes and two relay nodes in one
 * Hazelcast cluster, each in its own JVM from the packaged jars), N voice sessions streaming real-time audio with
 * every event logged ({@code "*"}), and faults injected on a schedule: a logger killed and restarted, the broker
 * killed and restarted, a relay killed, both relays restarted one after the other with SIGTERM (drain), a provider
 * that drops sessions, a client that stops reading. It then audits every session's audio and every session's records
 * in Kafka, and the nodes' memory and file descriptors. Exit code 1 when anything was lost.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Runs the cluster under load while parts of it fail; reports losses per fault, duplicates, and "
        + "memory over time (src-test/target/soak/: report.md, results.json, memory.png).")
public final class SoakMain implements Callable<Integer> {
  static final String KEY = "sk-soak-master";
  static final String TOPIC = "realtime-events";

  @Option(names = "--short", description = "CI run: 8 sessions, 120 s (about 3 minutes in all).")
  boolean shortRun;

  @Option(names = "--minutes", description = "Length of the run (default: 30; short: 2).")
  Double minutes;

  @Option(names = "--sessions", description = "Voice sessions held at once (default: 20; short: 8).")
  Integer sessions;

  @Option(names = "--out", description = "Report directory (default: src-test/target/soak).")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SoakMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    // The audit's consumer retries while the broker is down (a fault the schedule injects): that is expected.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.kafka"))
        .setLevel(ch.qos.logback.classic.Level.ERROR);
    Path repo = Repo.root();
    double runMinutes = minutes != null ? minutes : shortRun ? 2 : 30;
    int slots = sessions != null ? sessions : shortRun ? 8 : 20;
    Path dir = out != null ? out : repo.resolve("src-test/target/soak");
    Files.createDirectories(dir);
    Path work = Files.createTempDirectory("rtrelay-soak-");
    System.out.printf("soak: %d sessions for %.1f min; nodes' logs in %s%n", slots, runMinutes, work);

    Vertx vertx = Vertx.vertx();
    KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"));
    SoakUpstream upstream = SoakUpstream.start(vertx).await(10, TimeUnit.SECONDS);
    Path clusterXml = work.resolve("cluster.xml");
    Files.writeString(clusterXml, Files.readString(repo.resolve("config/cluster.xml"))
        .replace("<cluster-name>rtrelay</cluster-name>", "<cluster-name>soak-" + UUID.randomUUID() + "</cluster-name>"));
    Path config = work.resolve("relay.yaml");
    Files.writeString(config, relayConfig(upstream.port()));
    List<SoakNode> loggers = new ArrayList<>();
    List<SoakNode> relayNodes = new ArrayList<>();
    List<SoakRelays.Choice> choices = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      loggers.add(new SoakNode("logger-" + (i + 1), List.of(Repo.java(), "-Xmx512m", "-jar",
          repo.resolve("logger-node/target/logger-node.jar").toString(), "--cluster", "--cluster-config",
          clusterXml.toString(), "--kafka", kafka.bootstrap(), "--metrics-host", "127.0.0.1", "--metrics-port",
          String.valueOf(Ports.free())), work.resolve("logger-" + (i + 1) + ".log"),
          Pattern.compile("(logger joined the cluster)"), 0));
      int port = Ports.free();
      int management = Ports.free();
      String name = "relay-" + (char) ('a' + i);
      relayNodes.add(new SoakNode(name, List.of(Repo.java(), "-Xmx512m", "-jar",
          repo.resolve("relay-node/target/relay-node.jar").toString(), "--config", config.toString(), "--host",
          "127.0.0.1", "--port", String.valueOf(port), "--management-port", String.valueOf(management), "--cluster",
          "--cluster-config", clusterXml.toString()), work.resolve(name + ".log"),
          Pattern.compile("(relay listening on)"), management));
      choices.add(new SoakRelays.Choice(name, port));
    }
    SoakRelays relays = new SoakRelays(choices);
    List<SoakNode> nodes = new ArrayList<>(loggers);
    nodes.addAll(relayNodes);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    TopicAudit audit = null;
    List<SoakClient> clients = new ArrayList<>();
    try {
      startAll(loggers);
      startAll(relayNodes);
      relayNodes.forEach(r -> relays.up(r.name()));
      audit = new TopicAudit(kafka.bootstrap(), TOPIC);

      long started = System.currentTimeMillis();
      long heapEveryMillis = shortRun ? 30_000 : 120_000;
      long[] lastHeap = {0};
      sampler.scheduleAtFixedRate(() -> {
        long now = System.currentTimeMillis();
        boolean heap = now - lastHeap[0] >= heapEveryMillis;
        if (heap) {
          lastHeap[0] = now;
        }
        for (SoakNode n : nodes) {
          n.sample((now - started) / 1000.0, heap && n.name().startsWith("relay"));
        }
      }, 0, 5, TimeUnit.SECONDS);

      WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
          .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 24).setMaxConnections(10_000));
      for (int slot = 0; slot < slots; slot++) {
        SoakClient c = new SoakClient(vertx, wsClient, slot, relays::pick, KEY);
        clients.add(c);
        c.start();
      }

      SoakSchedule schedule = new SoakSchedule(kafka, loggers, relayNodes, relays, clients);
      long runMillis = (long) (runMinutes * 60_000);
      List<Fault> faults = schedule.run(started, runMillis);

      System.out.println("soak: run over; closing the sessions and auditing");
      Future.join(clients.stream().map(SoakClient::finish).toList()).await(30, TimeUnit.SECONDS);
      List<SoakClient.Session> ended = new ArrayList<>();
      clients.forEach(c -> ended.addAll(c.sessions()));
      // Settled: the relays have booked the last closes and written their records.
      Thread.sleep(3_000);
      SoakVerdict verdict = SoakVerdict.judge(ended, faults, audit, relayNodes, nodes, Duration.ofSeconds(90));
      sampler.shutdownNow();
      SoakReport report = new SoakReport(runMinutes, slots, faults, verdict, nodes, audit.records(), started);
      report.write(dir);
      System.out.println(report.markdown());
      System.out.println("soak: report in " + dir.resolve("report.md"));
      return verdict.passed() ? 0 : 1;
    } finally {
      sampler.shutdownNow();
      if (audit != null) {
        audit.close();
      }
      for (SoakNode n : nodes) {
        try {
          n.close();
        } catch (Exception e) {
          System.err.println("soak: " + n.name() + " did not stop: " + e);
        }
      }
      kafka.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void startAll(List<SoakNode> nodes) throws Exception {
    // Hazelcast joins take seconds each: the members start side by side.
    List<Thread> starting = new ArrayList<>();
    List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (SoakNode n : nodes) {
      Thread t = new Thread(() -> {
        try {
          n.start();
        } catch (Exception e) {
          failures.add(e);
        }
      });
      t.start();
      starting.add(t);
    }
    for (Thread t : starting) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  private static String relayConfig(int upstreamPort) {
    return """
        model_list:
          - model_name: %s
            litellm_params: {model: openai/soak, api_key: sk-soak-upstream, api_base: "http://127.0.0.1:%d"}
            model_info: {mode: realtime}
        general_settings:
          master_key: %s
        litellm_settings:
          logged_real_time_event_types: "*"
        relay_settings:
          drain_seconds: 3
          write_stall_timeout_seconds: 5
          warm_up_sessions: 200
        """.formatted(SoakClient.MODEL, upstreamPort, KEY);
  }
}
