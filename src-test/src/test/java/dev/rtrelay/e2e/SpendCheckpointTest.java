package dev.rtrelay.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.e2e.kafka.KafkaBroker;
import dev.rtrelay.relay.auth.Principal;
import dev.rtrelay.relay.config.KeyQuota;
import dev.rtrelay.relay.http.RelayException;
import dev.rtrelay.relay.limits.KafkaSpendLedger;
import dev.rtrelay.relay.limits.KeyLimits;
import dev.rtrelay.relay.support.RecordingClient;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, item 2: a key's spend is checkpointed to a compacted Kafka topic, so a budget is not reset when every node
 * restarts at once (the cluster's key-limit map then starts empty). Each "cluster" here is its own Vert.x instance with
 * its own map, as a full restart leaves it.
 */
class SpendCheckpointTest {
  private static final String TOPIC = "rtrelay-spend-test";
  @TempDir static Path tmp;
  private static KafkaBroker kafka;

  @BeforeAll
  static void start() {
    kafka = KafkaBroker.start(tmp.resolve("kafka"));
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  private static Principal budgeted(String id, String maxBudget) {
    return new Principal(id, Set.of(), new KeyQuota(Optional.empty(), Optional.empty(),
        Optional.of(new BigDecimal(maxBudget)), Optional.of(Duration.ofDays(30))), Optional.empty(), Map.of(),
        List.of());
  }

  /** A cluster's key limits with the ledger, as a relay started with --keys-kafka has them. */
  private record Cluster(Vertx vertx, KeyLimits limits, KafkaSpendLedger ledger) {
    static Cluster start() throws Exception {
      Vertx vertx = Vertx.vertx();
      KafkaSpendLedger ledger = KafkaSpendLedger.start(vertx, kafka.bootstrap(), TOPIC, Duration.ofSeconds(30))
          .await(40, TimeUnit.SECONDS);
      KeyLimits limits = KeyLimits.create(vertx).await(10, TimeUnit.SECONDS);
      limits.useLedger(ledger);
      return new Cluster(vertx, limits, ledger);
    }

    BigDecimal spend(Principal key) throws Exception {
      return limits.usage(key.id(), key.quota()).await(10, TimeUnit.SECONDS).map(KeyLimits.KeyUsage::spend)
          .orElse(BigDecimal.ZERO);
    }

    void stop() throws Exception {
      ledger.close();
      limits.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aBudgetResumesFromItsCheckpointAfterEveryNodeRestarted() throws Exception {
    Principal key = budgeted("checkpointed", "10");
    Cluster first = Cluster.start();
    first.limits().addSpend(key, new BigDecimal("1.25")).await(10, TimeUnit.SECONDS);
    first.limits().addSpend(key, new BigDecimal("2.50")).await(10, TimeUnit.SECONDS);
    assertEquals(0, new BigDecimal("3.75").compareTo(first.spend(key)));
    // The checkpoint is written from a worker within a flush interval; a second cluster reading the topic sees it.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      Cluster probe = Cluster.start();
      try {
        if (probe.spend(key).compareTo(new BigDecimal("3.75")) == 0) {
          break;
        }
      } finally {
        probe.stop();
      }
      assertTrue(System.nanoTime() < deadline, "no checkpoint of 3.75 USD in Kafka within 15 s");
    }
    first.stop();

    // Every node gone: a new cluster resumes the spend and adds to it, and enforces the budget on it.
    Cluster second = Cluster.start();
    try {
      assertEquals(0, new BigDecimal("3.75").compareTo(second.spend(key)));
      second.limits().addSpend(key, new BigDecimal("1")).await(10, TimeUnit.SECONDS);
      assertEquals(0, new BigDecimal("4.75").compareTo(second.spend(key)));
      Principal tight = budgeted("checkpointed", "4.5");
      try {
        second.limits().openSession(tight).await(10, TimeUnit.SECONDS);
        throw new AssertionError("a key over its resumed budget was admitted");
      } catch (Exception e) {
        Throwable cause = e;
        while (cause != null && !(cause instanceof RelayException)) {
          cause = cause.getCause();
        }
        assertTrue(cause != null, "refused with a RelayException: " + e);
        assertEquals(429, ((RelayException) cause).status(), cause.getMessage());
      }
    } finally {
      second.stop();
    }
    // A checkpoint never goes back: the topic's latest for the key is the highest spend written.
    Cluster third = Cluster.start();
    try {
      RecordingClient.await(() -> {
        try {
          return third.spend(key).compareTo(new BigDecimal("4.75")) == 0;
        } catch (Exception e) {
          return false;
        }
      }, "the second cluster's checkpoint (written at its stop)");
    } finally {
      third.stop();
    }
  }
}
