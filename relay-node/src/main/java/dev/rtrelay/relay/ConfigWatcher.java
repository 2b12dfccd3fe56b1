package dev.rtrelay.relay;

import dev.rtrelay.relay.config.ConfigException;
import dev.rtrelay.relay.config.ConfigLoader;
import dev.rtrelay.relay.config.RelayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Reloads a node's {@code config.yaml} on {@code SIGHUP} and when its content changes (checked every few seconds, so
 * that a Kubernetes ConfigMap update, which swaps a symlink, is seen as well as an edit in place). The file is read
 * and validated in full off the event loops; a valid config is put in force for new sessions ({@link ConfigReload}),
 * an invalid one is refused with one log line and the node keeps the config it has.
 *
 * <p>Reloads run one at a time; a trigger during a reload runs once more after it, so the last change always wins.
 */
public final class ConfigWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Vertx vertx;
  private final RelayNode node;
  private final Path file;
  private final ConfigLoader loader;
  private final long pollMillis;
  private final Counter applied;
  private final Counter refused;
  private final AtomicLong lastAppliedEpochSeconds = new AtomicLong();
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  /** Digest of the content last read (applied or refused): an unchanged file is not read twice into a reload. */
  private volatile byte[] seen;
  private long timer = -1;

  /**
   * @param initial the file's content the node started with (its digest is the starting point)
   * @param pollMillis how often the file's content is compared; 0 turns the check off (SIGHUP still works)
   */
  public ConfigWatcher(Vertx vertx, RelayNode node, Path file, ConfigLoader loader, MeterRegistry registry,
      byte[] initial, long pollMillis) {
    this.vertx = vertx;
    this.node = node;
    this.file = file;
    this.loader = loader;
    this.pollMillis = pollMillis;
    this.seen = digest(initial);
    this.applied = Counter.builder("rtrelay_config_reloads").description("Config reloads (SIGHUP or a changed file)")
        .tag("outcome", "applied").register(registry);
    this.refused = Counter.builder("rtrelay_config_reloads").description("Config reloads (SIGHUP or a changed file)")
        .tag("outcome", "refused").register(registry);
    lastAppliedEpochSeconds.set(System.currentTimeMillis() / 1000);
    Gauge.builder("rtrelay_config_applied_timestamp_seconds", lastAppliedEpochSeconds, AtomicLong::get)
        .description("When the config in force was loaded (start or last applied reload), Unix time")
        .register(registry);
  }

  /** Starts the content check and takes over SIGHUP. */
  public ConfigWatcher start() {
    if (pollMillis > 0) {
      timer = vertx.setPeriodic(pollMillis, id -> {
        if (!running.get()) {
          reload("file changed", false);
        }
      });
    }
    Signal.handle(new Signal("HUP"), signal -> vertx.runOnContext(v -> reload("SIGHUP", true)));
    return this;
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * Reads the file and, when {@code always} or when its content differs from the last read, applies it.
   *
   * @return whether a config was applied (false: unchanged, refused, or folded into a reload already running)
   */
  public Future<Boolean> reload(String why, boolean always) {
    if (!running.compareAndSet(false, true)) {
      again.set(true);
      return Future.succeededFuture(false);
    }
    return vertx.executeBlocking(() -> read(always)).compose(config -> {
      if (config == null) {
        return Future.succeededFuture(false);
      }
      ConfigReload.Outcome outcome = node.reload(config);
      if (outcome.applied()) {
        applied.increment();
        lastAppliedEpochSeconds.set(System.currentTimeMillis() / 1000);
        LOG.info("config reloaded ({}) from {}: {}", why, file, outcome.summary());
      } else {
        refused.increment();
        LOG.error("config reload ({}) refused, the node keeps its config: {}", why, outcome.summary());
      }
      return Future.succeededFuture(outcome.applied());
    }, error -> {
      refused.increment();
      LOG.error("config reload ({}) refused, the node keeps its config: {}", why, error instanceof ConfigException
          ? error.getMessage() : file + ": " + error.getClass().getSimpleName());
      return Future.succeededFuture(false);
    }).andThen(done -> {
      running.set(false);
      if (again.getAndSet(false)) {
        reload(why, true);
      }
    });
  }

  /** The file's config, or null when it has not changed since the last read and the reload is not forced. */
  private RelayConfig read(boolean always) throws IOException {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read (" + e.getClass().getSimpleName() + ")");
    }
    byte[] digest = digest(content);
    if (!always && Arrays.equals(digest, seen)) {
      return null;
    }
    seen = digest;
    return loader.parse(new String(content, StandardCharsets.UTF_8), file.toString());
  }

  private static byte[] digest(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
