package dev.streamhook.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GcLogTest {

    @Test
    void thePeakHeapIsTheLargestBeforeACollectionAndTheLiveHeapTheLargestAfterAFullOne() {
        GcLog.Heap heap = GcLog.parse(List.of(
                "[0.512s][info][gc] Using G1",
                "[1.100s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->3M(64M) 3.456ms",
                "[2.200s][info][gc] GC(1) Pause Full (Diagnostic Command) 90M->31M(110M) 93.551ms",
                "[3.300s][info][gc] GC(2) Pause Young (Normal) (G1 Evacuation Pause) 160M->120M(188M) 17.8ms",
                "[4.400s][info][gc] GC(3) Concurrent Mark Cycle 313.212ms",
                "[5.500s][info][gc] GC(4) Pause Full (System.gc()) 512K->400K(1G) 10.1ms"));

        assertThat(heap.collections()).isEqualTo(4);
        assertThat(heap.peakUsed()).isEqualTo(160L << 20);
        assertThat(heap.peakCommitted()).isEqualTo(1L << 30);
        assertThat(heap.fullCollections()).isEqualTo(2);
        assertThat(heap.peakLive()).as("after full collections only: 120M after a young one includes garbage").isEqualTo(31L << 20);
    }
}
