package dev.rtrelay.relay.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Frame and byte counts of one direction, shared by every session of the node. {@link LongAdder}s keep the
 * per-frame cost to an uncontended add even with all event loops counting at once.
 */
public final class FrameMeters {
  /** One frame in this many is timed: timing every frame would cost more than forwarding some of them. */
  public static final int SAMPLE_EVERY = 64;

  private final LongAdder frames = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final Timer forward;

  FrameMeters(String direction, MeterRegistry registry, Timer forward) {
    this.forward = forward;
    FunctionCounter.builder("rtrelay_frames", frames, LongAdder::sum).description("Data frames relayed")
        .tag("direction", direction).register(registry);
    FunctionCounter.builder("rtrelay_bytes", bytes, LongAdder::sum).description("Payload bytes relayed")
        .tag("direction", direction).baseUnit("bytes").register(registry);
  }

  public void frame(int payloadBytes) {
    frames.increment();
    bytes.add(payloadBytes);
  }

  /**
   * Frames completed and payload bytes relayed in one read. Each is counted on its own: a read inside a long frame
   * carries bytes and completes no frame.
   */
  public void add(long frameCount, long payloadBytes) {
    if (frameCount > 0) {
      frames.add(frameCount);
    }
    if (payloadBytes > 0) {
      bytes.add(payloadBytes);
    }
  }

  public void forwardTook(long nanos) {
    forward.record(nanos, TimeUnit.NANOSECONDS);
  }
}
