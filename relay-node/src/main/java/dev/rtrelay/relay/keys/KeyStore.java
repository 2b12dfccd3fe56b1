package dev.rtrelay.relay.keys;

import io.vertx.core.Future;

/**
 * Where the runtime keys and teams are kept: {@link #inMemory()} (this node only, until it stops) or a compacted
 * Kafka topic ({@link KafkaKeyStore}: durable, and every node sharing the topic applies every change).
 */
public interface KeyStore {
  /** The keys and teams in force on this node. */
  RuntimeKeys keys();

  /** Puts a change in force everywhere the store reaches; completes once it is in force on this node. */
  Future<Void> write(KeyChange change);

  /** Whether changes survive a restart and reach other nodes; said in answers and at start. */
  boolean durable();

  default void close() {}

  /** This node's memory only. */
  static KeyStore inMemory() {
    RuntimeKeys keys = new RuntimeKeys();
    return new KeyStore() {
      @Override
      public RuntimeKeys keys() {
        return keys;
      }

      @Override
      public Future<Void> write(KeyChange change) {
        keys.apply(change);
        return Future.succeededFuture();
      }

      @Override
      public boolean durable() {
        return false;
      }
    };
  }
}
