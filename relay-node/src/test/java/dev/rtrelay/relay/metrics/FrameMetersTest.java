package dev.rtrelay.relay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Node-wide frame and byte counts, as the forwarder reports them once per read. */
class FrameMetersTest {
  @Test
  void bytesOfAReadThatCompletesNoFrameAreCounted() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FrameMeters meters = new FrameMeters("client_to_upstream", registry, Timer.builder("t").register(registry));
    meters.add(0, 100); // the first part of a long frame
    meters.add(1, 28); // its end
    meters.add(0, 0); // a read of headers only
    assertEquals(1, registry.get("rtrelay_frames").functionCounter().count());
    assertEquals(128, registry.get("rtrelay_bytes").functionCounter().count());
  }
}
