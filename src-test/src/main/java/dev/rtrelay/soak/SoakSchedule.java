package dev.rtrelay.soak;

import dev.rtrelay.e2e.kafka.KafkaBroker;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The faults, in order, each at its share of the run: a logger killed (SIGKILL) and restarted, the Kafka broker
 * killed and restarted, a relay killed and restarted, a rolling restart of both relays with SIGTERM (each drains),
 * a provider that drops two sessions, a client that stops reading, a logger frozen (SIGSTOP) for 12 s. The rest of
 * the run is left quiet, so the memory of relays started in the rolling restart is read over a long stretch.
 */
final class SoakSchedule {
  private final KafkaBroker kafka;
  private final List<SoakNode> loggers;
  private final List<SoakNode> relayNodes;
  private final SoakRelays relays;
  private final List<SoakClient> clients;
  private final List<Fault> faults = new ArrayList<>();
  /** Clients a fault already picked: each fault picks sessions of its own. */
  private final Set<SoakClient> picked = new HashSet<>();

  SoakSchedule(KafkaBroker kafka, List<SoakNode> loggers, List<SoakNode> relayNodes, SoakRelays relays,
      List<SoakClient> clients) {
    this.kafka = kafka;
    this.loggers = loggers;
    this.relayNodes = relayNodes;
    this.relays = relays;
    this.clients = clients;
  }

  /** Runs the schedule over {@code runMillis} from {@code started}; returns what was injected. */
  List<Fault> run(long started, long runMillis) throws Exception {
    at(started, runMillis, 0.08);
    killLogger();
    at(started, runMillis, 0.18);
    killBroker();
    at(started, runMillis, 0.28);
    killRelay(relayNodes.get(1));
    at(started, runMillis, 0.38);
    for (SoakNode relay : relayNodes) {
      restartWithSigterm(relay);
    }
    at(started, runMillis, 0.56);
    providerDrops(2);
    at(started, runMillis, 0.64);
    clientStopsReading();
    at(started, runMillis, 0.72);
    freezeLogger(loggers.get(loggers.size() - 1), 12_000);
    at(started, runMillis, 1.0);
    return faults;
  }

  private static void at(long started, long runMillis, double share) throws InterruptedException {
    long wait = started + (long) (runMillis * share) - System.currentTimeMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }

  private void killLogger() throws Exception {
    SoakNode logger = loggers.get(0);
    long start = log("SIGKILL " + logger.name());
    logger.kill();
    Thread.sleep(5_000);
    logger.start();
    faults.add(new Fault("logger killed (SIGKILL), restarted 5 s later", start, System.currentTimeMillis(), null,
        Set.of(), Set.of(), true));
  }

  /**
   * SIGSTOP a logger for longer than the cluster's heartbeat timeout (8 s), so that it is removed and later merges
   * back. Relays must stop sending to it within seconds and send what it held unacknowledged to the other logger:
   * nothing may be lost (what it had acknowledged waits in its memory and is written once it runs again).
   */
  private void freezeLogger(SoakNode logger, long millis) throws Exception {
    long start = log("SIGSTOP " + logger.name() + " for " + millis / 1000 + " s");
    logger.freeze();
    try {
      Thread.sleep(millis);
    } finally {
      logger.resume();
    }
    log("SIGCONT " + logger.name());
    faults.add(new Fault(logger.name() + " frozen (SIGSTOP) for " + millis / 1000 + " s, then resumed", start,
        System.currentTimeMillis(), null, Set.of(), Set.of(), false));
  }

  private void killBroker() throws Exception {
    long start = log("SIGKILL the Kafka broker");
    kafka.kill();
    Thread.sleep(10_000);
    kafka.restart();
    faults.add(new Fault("Kafka broker killed (SIGKILL), restarted 10 s later", start, System.currentTimeMillis(),
        null, Set.of(), Set.of(), false));
  }

  private void killRelay(SoakNode relay) throws Exception {
    relays.down(relay.name());
    long start = log("SIGKILL " + relay.name());
    relay.kill();
    Thread.sleep(3_000);
    relay.start();
    relays.up(relay.name());
    // Its sessions end as the TCP connections do (no close frame); the records it still held are lost with it.
    faults.add(new Fault(relay.name() + " killed (SIGKILL), restarted", start, System.currentTimeMillis(),
        relay.name(), Set.of(), Set.of(), true));
  }

  private void restartWithSigterm(SoakNode relay) throws Exception {
    relays.down(relay.name());
    long start = log("SIGTERM " + relay.name() + " (drain, then restart)");
    int exit = relay.terminate(60);
    if (exit != 0) {
      System.out.println("soak: " + relay.name() + " exited with " + exit + " after SIGTERM (expected 0)");
    }
    relay.start();
    relays.up(relay.name());
    // Its sessions are closed with 1001 once the drain limit passes; every record must still reach Kafka.
    faults.add(new Fault(relay.name() + " stopped with SIGTERM (drain) and restarted", start,
        System.currentTimeMillis(), relay.name(), Set.of(), Set.of(1001), false));
    Thread.sleep(2_000);
  }

  private void providerDrops(int count) throws Exception {
    long start = log("the provider drops " + count + " sessions");
    Set<String> dropped = new HashSet<>();
    for (SoakClient c : liveClients(count)) {
      String id = c.dropByProvider().await(5, TimeUnit.SECONDS);
      if (id != null) {
        dropped.add(id);
      }
    }
    faults.add(new Fault("provider drops " + dropped.size() + " sessions (1011)", start, System.currentTimeMillis(),
        null, dropped, Set.of(1011), false));
  }

  private void clientStopsReading() throws Exception {
    long start = log("a client stops reading");
    Set<String> stalled = new HashSet<>();
    for (SoakClient c : liveClients(1)) {
      String id = c.stopReading().await(5, TimeUnit.SECONDS);
      if (id != null) {
        stalled.add(id);
      }
    }
    // The relay closes it after write_stall_timeout_seconds (5) with 1008; the paused client reads no close frame.
    Thread.sleep(8_000);
    faults.add(new Fault("a client stops reading (closed after the 5 s write-stall timeout)", start,
        System.currentTimeMillis(), null, stalled, Set.of(1008, 1006), false));
  }

  private List<SoakClient> liveClients(int count) {
    List<SoakClient> chosen = clients.stream().filter(c -> c.live() && !picked.contains(c)).limit(count).toList();
    picked.addAll(chosen);
    return chosen;
  }

  private static long log(String what) {
    System.out.println("soak: " + java.time.LocalTime.now().withNano(0) + " " + what);
    return System.currentTimeMillis();
  }
}
