package dev.rtrelay.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The bench's reading of a JVM's GC log (Java 17 and 25 unified logging). */
class GcPausesTest {
  @Test
  void pausesAreCountedAndTheLongestFoundOtherLinesIgnored() {
    GcPauses pauses = GcPauses.parse("""
        [0.004s][info][gc] Using G1
        [1.234s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.456ms
        [2.000s][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 40M->9M(256M) 12.5ms
        [2.010s][info][gc] GC(2) Concurrent Mark Cycle 9.876ms
        [3.100s][info][gc] GC(3) Pause Remark 20M->20M(256M) 0.900ms
        [9.000s][info][gc] GC(4) Pause Full (System.gc()) 30M->8M(64M) 25ms
        """);
    assertEquals(4, pauses.count());
    assertEquals(25.0, pauses.maxMillis(), 1e-9);
    assertEquals(3.456 + 12.5 + 0.9 + 25, pauses.totalMillis(), 1e-9);
  }
}
