package dev.rtrelay.bench;

import dev.rtrelay.e2e.kafka.KafkaBroker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark harness: a latency probe upstream, the packaged relay in front of it, and nginx as a plain WebSocket
 * proxy in front of the same probe, all on loopback; N sessions of real-time audio through each path back to back,
 * so every figure is a ratio against a baseline measured in the same run on the same (shared, noisy) machine.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measures what the relay adds: round trip per audio frame vs direct and vs nginx, session set-up, "
        + "CPU per session-minute, memory per idle session, and the cost of event logging.")
public final class BenchMain implements Callable<Integer> {
  @Option(names = "--quick", description = "CI smoke: small ladder, short phases (about 2 minutes).")
  boolean quick;

  @Option(names = "--ladder", split = ",", paramLabel = "N,N,...",
      description = "Concurrent sessions per step (default: 10,100,250,500,1000; quick: 10,50).")
  List<Integer> ladder;

  @Option(names = "--seconds", description = "Seconds per path per step (default: 15; quick: 4).")
  Double seconds;

  @Option(names = "--logging-sessions", description = "Sessions for the event-logging comparison (default: 100; "
      + "quick: 20).")
  Integer loggingSessions;

  @Option(names = "--rounds", description = "Rounds per ladder step, the paths interleaved; figures add the rounds up "
      + "(default: 2; quick: 1).")
  Integer rounds;

  @Option(names = "--idle", split = ",", description = "Idle session counts for memory (default: 2000,9000; quick: "
      + "200). Capped by the open-file limit: each relay session holds two sockets.")
  List<Integer> idle;

  @Option(names = "--no-logging", description = "Skip the event-logging comparison (it needs a Kafka broker).")
  boolean noLogging;

  @Option(names = "--no-comparisons",
      description = "Skip the guardrail and provider-protocol comparisons (for quick A/B runs of the ladder).")
  boolean noComparisons;

  @Option(names = "--paths", split = ",", description = "Paths to measure (default: direct,nginx,relay).")
  List<String> paths = List.of("direct", "nginx", "relay");

  @Option(names = "--relay-jvm-opt", paramLabel = "OPT",
      description = "Extra JVM option for every relay process the run starts, repeatable (e.g. "
          + "-XX:StartFlightRecording=filename=relay.jfr,dumponexit=true,...; on Java 17 relays sharing a file name "
          + "overwrite it, so the last relay's recording remains).")
  List<String> relayJvmOptions = List.of();

  @Option(names = "--relay-jar", paramLabel = "JAR",
      description = "Relay jar to measure (default: relay-node/target/relay-node.jar of this tree), e.g. an older "
          + "build for a before/after comparison against nginx in the same kind of run.")
  Path relayJar;

  @Option(names = "--setup-sessions", description = "Sessions per set-up measurement: sequential, a fresh relay's "
      + "first ones, and a burst started while as many others stream (default: 100 sequential, 250 burst; quick: 30).")
  Integer setupSessions;

  @Option(names = "--out", description = "Output directory (default: src-test/target/bench).")
  Path out;

  @Option(names = "--repo", description = "Repository root (default: found from the working directory).")
  Path repo;

  /** How this run starts relays (jar and JVM options). */
  private RelayUnderTest.Runtime runtime;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    repo = repo != null ? repo : Repo.root();
    out = out != null ? out : repo.resolve("src-test/target/bench");
    Files.createDirectories(out);
    List<Integer> steps = ladder != null ? ladder : quick ? List.of(10, 50) : List.of(10, 100, 250, 500, 1000);
    double phase = seconds != null ? seconds : quick ? 4 : 15;
    int logN = loggingSessions != null ? loggingSessions : quick ? 20 : 100;
    List<Integer> idleCounts = idle != null ? idle : quick ? List.of(200) : List.of(2000, 9000);
    int sequentialSessions = setupSessions != null ? setupSessions : quick ? 30 : 100;
    int burstSessions = setupSessions != null ? setupSessions : quick ? 30 : 250;
    runtime = new RelayUnderTest.Runtime(
        relayJar != null ? relayJar.toAbsolutePath() : repo.resolve("relay-node/target/relay-node.jar"),
        relayJvmOptions);
    Path work = Files.createTempDirectory("rtrelay-bench");
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    LoadGenerator generator = new LoadGenerator(vertx);
    Report report = new Report(out, phase);
    try (ChildProcess probe = ChildProcess.start("probe", Repo.javaCommand(ProbeUpstream.class.getName(), "0"),
        work.resolve("probe.log"), Pattern.compile("probe listening on (\\d+)"))) {
      int probePort = Integer.parseInt(probe.awaitReady(60));
      Target direct = new Target("direct", probePort, "/v1/realtime?model=probe", null);
      Optional<Nginx.Started> nginx = paths.contains("nginx") ? startNginx(work, probePort, report) : Optional.empty();
      try (RelayUnderTest relay = RelayUnderTest.start(work, "off", probePort, Optional.empty(), "", runtime)) {
        Target viaRelay = relay.target();
        Optional<Target> viaNginx = nginx.map(n -> new Target("nginx", n.port(), "/v1/realtime?model=probe", null));
        // Warm up the JITs of every path at real load before measuring anything: a cold relay JVM otherwise shows
        // tens of milliseconds of compilation in the first step's figures.
        int warmSessions = quick ? 20 : 100;
        double warmSeconds = quick ? 2 : 6;
        generator.run(direct, warmSessions, warmSeconds).await();
        generator.run(viaRelay, warmSessions, warmSeconds).await();
        if (viaNginx.isPresent()) {
          generator.run(viaNginx.get(), warmSessions, warmSeconds).await();
        }
        int roundCount = rounds != null ? rounds : quick ? 1 : 2;
        for (int n : steps) {
          // Rounds interleave the paths (direct, nginx, relay, direct, ...), so a slow minute of this shared machine
          // lands on all of them; each path's phases are then added up.
          List<PhaseResult> directs = new ArrayList<>();
          List<PhaseResult> nginxes = new ArrayList<>();
          List<PhaseResult> relays = new ArrayList<>();
          double nginxCpu = viaNginx.isPresent() ? 0 : Double.NaN;
          double cpu = 0;
          for (int round = 0; round < roundCount; round++) {
            if (paths.contains("direct")) {
              directs.add(generator.run(direct, n, phase).await());
            }
            if (viaNginx.isPresent()) {
              double cpuBefore = nginx.get().process().treeCpuSeconds();
              nginxes.add(generator.run(viaNginx.get(), n, phase).await());
              nginxCpu += nginx.get().process().treeCpuSeconds() - cpuBefore;
            }
            if (paths.contains("relay")) {
              double cpuBefore = relay.process().cpuSeconds();
              relays.add(generator.run(viaRelay, n, phase).await());
              cpu += relay.process().cpuSeconds() - cpuBefore;
            }
          }
          List<PhaseResult> results = new ArrayList<>();
          for (List<PhaseResult> path : List.of(directs, nginxes, relays)) {
            if (!path.isEmpty()) {
              results.add(PhaseResult.merge(path));
            }
          }
          report.step(n, results, cpu, nginxCpu);
          System.out.println(report.stepLine(n));
        }
        // Read before the idle-session steps, which force full GCs to measure the heap.
        GcPauses pauses = relay.gcPauses();
        String gc = String.format(java.util.Locale.ROOT, "Relay GC pauses over the ladder (G1, -Xmx1g): %d, longest "
            + "%.1f ms, %.0f ms in all. The cluster removes a member after 8 s without a heartbeat "
            + "(config/cluster.xml): %.0f× the longest pause.", pauses.count(), pauses.maxMillis(),
            pauses.totalMillis(), pauses.maxMillis() > 0 ? 8_000 / pauses.maxMillis() : 0);
        report.note(gc);
        System.out.println(gc);
        measureSetup(vertx, generator, report, work, probePort, direct, viaNginx, viaRelay,
            sequentialSessions, burstSessions);
        DistantProviderSetup.run(vertx, report, work, runtime, 40, quick ? 10 : 40);
        report.signIn(SignInBench.run(probePort, viaRelay.port(), RelayUnderTest.KEY, quick ? 200 : 1000));
        for (int count : idleCounts) {
          if (count > 0) {
            report.idle(measureIdle(generator, relay, count));
          }
        }
      }
      nginx.ifPresent(n -> closeQuietly(n.process()));
      if (!noComparisons) {
        report.guardrails(logN, compareGuardrails(generator, work, probePort, logN, phase));
        report.translation(logN, compareTranslation(generator, work, probePort, logN, phase));
      }
      if (!noLogging) {
        report.logging(logN, compareLogging(generator, work, probePort, logN, phase));
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    report.write(machine());
    System.out.println(Files.readString(out.resolve("report.md")));
    return 0;
  }

  /**
   * Set-up times, every path in the same run: one session at a time (the path's own cost), a freshly started relay's
   * first sessions against the warm one's, and a burst of sessions started while as many others stream.
   */
  private void measureSetup(Vertx vertx, LoadGenerator generator, Report report, Path work, int probePort,
      Target direct, Optional<Target> viaNginx, Target viaRelay, int sequential,
      int burst) throws Exception {
    SetupBench setup = new SetupBench(vertx);
    List<Target> targets = new ArrayList<>(List.of(direct));
    viaNginx.ifPresent(targets::add);
    targets.add(viaRelay);
    for (Target target : targets) {
      report.setup("sequential, warm", target.name(), setup.sequential(target, sequential).await());
    }
    try (RelayUnderTest fresh = RelayUnderTest.start(work, "fresh", probePort, Optional.empty(), "", runtime)) {
      report.setup("sequential, fresh relay's first " + sequential, "relay", setup.sequential(fresh.target(),
          sequential).await());
    }
    for (Target target : targets) {
      Promise<org.HdrHistogram.Histogram> started = Promise.promise();
      // The burst starts a second into the streaming phase, once every streaming session sends.
      Future<PhaseResult> streaming = generator.run(target, burst, quick ? 4 : 8,
          () -> vertx.setTimer(1_000, id -> setup.burst(target, burst).onComplete(started)));
      report.setup("burst of " + burst + " while " + burst + " stream", target.name(),
          started.future().await(120, TimeUnit.SECONDS));
      streaming.await();
    }
  }

  private static Optional<Nginx.Started> startNginx(Path work, int probePort, Report report) {
    Optional<String> binary = Nginx.binary();
    if (binary.isEmpty()) {
      report.note("nginx not installed: no nginx baseline in this run (scripts/bench installs it with apt-get).");
      return Optional.empty();
    }
    try {
      return Optional.of(Nginx.start(binary.get(), work.resolve("nginx"), probePort));
    } catch (Exception e) {
      report.note("nginx failed to start, no nginx baseline: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static Report.Idle measureIdle(LoadGenerator generator, RelayUnderTest relay, int wanted) throws Exception {
    // Two sockets per relay session (client and upstream) plus a margin for jars and pipes.
    long budget = (Repo.openFileLimit() - 400) / 2;
    int count = (int) Math.min(wanted, budget);
    long heapBefore = relay.process().heapUsedAfterGc();
    long rssBefore = relay.process().rssBytes();
    LoadGenerator.IdleSessions sessions = generator.openIdle(relay.target(), count).await();
    long heapAfter = relay.process().heapUsedAfterGc();
    long rssAfter = relay.process().rssBytes();
    sessions.close().await(120, TimeUnit.SECONDS);
    return new Report.Idle(wanted, sessions.open(), heapBefore, heapAfter, rssBefore, rssAfter);
  }

  private Map<String, Report.LoggingRun> compareLogging(LoadGenerator generator, Path work, int probePort,
      int sessions, double phase) throws Exception {
    Map<String, Report.LoggingRun> runs = new LinkedHashMap<>();
    Path repo = Repo.root();
    Path cluster = LoggerUnderTest.clusterConfig(repo, work);
    try (KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"));
        LoggerUnderTest logger = LoggerUnderTest.start(repo, work, cluster, kafka.bootstrap())) {
      for (String variant : List.of("off", "default", "*")) {
        try (RelayUnderTest relay = RelayUnderTest.start(work, variant.equals("*") ? "star" : variant, probePort,
            variant.equals("off") ? Optional.empty() : Optional.of(cluster),
            variant.equals("*") ? "litellm_settings:\n  logged_real_time_event_types: \"*\"\n" : "", runtime)) {
          // A fresh relay JVM (and, when clustered, fresh event-bus connections) needs a warm-up at full load, or the
          // first variant pays for JIT compilation and connection set-up in its figures.
          generator.run(relay.target(), sessions, Math.min(phase, 8)).await();
          runs.put(variant, run(generator, relay, logger, sessions, phase));
          if (variant.equals("*")) {
            kafka.stop();
            runs.put("* with Kafka down", run(generator, relay, logger, sessions, phase));
          }
        }
      }
    }
    return runs;
  }

  /**
   * Per-frame cost of guardrails on the audio path: the same load with none, and with a default_on content filter
   * in pre_call and post_call (its patterns never match audio, so this is the price of looking).
   */
  private Map<String, Report.LoggingRun> compareGuardrails(LoadGenerator generator, Path work, int probePort,
      int sessions, double phase) throws Exception {
    String guardrails = """
        guardrails:
          - guardrail_name: bench-filter
            litellm_params:
              guardrail: litellm_content_filter
              mode: [pre_call, post_call]
              default_on: true
              patterns:
                - {pattern_type: prebuilt, pattern_name: us_ssn, action: BLOCK}
                - {pattern_type: prebuilt, pattern_name: email, action: MASK}
              blocked_words:
                - {keyword: system update, action: BLOCK}
        """;
    Map<String, Report.LoggingRun> runs = new LinkedHashMap<>();
    // "none" measures voice latency (the default); the third variant turns it off, so the pair gives its cost.
    for (Map.Entry<String, String> variant : List.of(Map.entry("none", ""), Map.entry("content filter", guardrails),
        Map.entry("none, voice latency off", "relay_settings: {voice_latency: false}\n"))) {
      try (RelayUnderTest relay = RelayUnderTest.start(work, "guard-" + runs.size(), probePort, Optional.empty(),
          variant.getValue(), runtime)) {
        generator.run(relay.target(), sessions, Math.min(phase, 8)).await();
        double before = relay.process().cpuSeconds();
        PhaseResult result = generator.run(relay.target(), sessions, phase).await();
        runs.put(variant.getKey(), new Report.LoggingRun(result, relay.process().cpuSeconds() - before, 0));
      }
    }
    return runs;
  }

  /**
   * What translating costs on the audio path: the same load relayed frame by frame to an OpenAI-protocol probe, and
   * translated to the same probe speaking Gemini Live (each audio chunk parsed, rewritten and answered as model
   * audio, which is translated back).
   */
  private Map<String, Report.LoggingRun> compareTranslation(LoadGenerator generator, Path work, int probePort,
      int sessions, double phase) throws Exception {
    String gemini = """
          - model_name: probe-gemini
            litellm_params: {model: gemini/probe, api_key: bench-gemini-key, api_base: "http://127.0.0.1:%d"}
            model_info: {mode: realtime}
        """.formatted(probePort);
    Map<String, Report.LoggingRun> runs = new LinkedHashMap<>();
    for (Map.Entry<String, String> variant : List.of(Map.entry("relayed (openai/)", "probe"),
        Map.entry("translated (gemini/)", "probe-gemini"))) {
      try (RelayUnderTest relay = RelayUnderTest.startWithAliases(work, "translate-" + runs.size(), probePort, gemini,
          runtime)) {
        Target target = relay.target(variant.getValue());
        generator.run(target, sessions, Math.min(phase, 8)).await();
        double before = relay.process().cpuSeconds();
        PhaseResult result = generator.run(target, sessions, phase).await();
        runs.put(variant.getKey(), new Report.LoggingRun(result, relay.process().cpuSeconds() - before, 0));
      }
    }
    return runs;
  }

  private static Report.LoggingRun run(LoadGenerator generator, RelayUnderTest relay, LoggerUnderTest logger,
      int sessions, double phase) throws Exception {
    double relayBefore = relay.process().cpuSeconds();
    double loggerBefore = logger.process().cpuSeconds();
    PhaseResult result = generator.run(relay.target(), sessions, phase).await();
    return new Report.LoggingRun(result, relay.process().cpuSeconds() - relayBefore,
        logger.process().cpuSeconds() - loggerBefore);
  }

  private static JsonObject machine() {
    return new JsonObject()
        .put("date", Instant.now().toString())
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // best effort at the end of a run
    }
  }

}
