package dev.rtrelay.relay.events;

/** Where a session's log records go. {@link #offer} never blocks; {@code false} means the record was dropped. */
public interface EventSink {
  /** Logging off: sessions skip all event work. */
  EventSink DISABLED = new EventSink() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public boolean offer(String sessionId, byte[] envelope) {
      return false;
    }
  };

  boolean enabled();

  boolean offer(String sessionId, byte[] envelope);

  /** Counts an event recorded without its body because it was over the size limit. */
  default void truncated() {}
}
