package dev.streamhook.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ProcessSamplerTest {

    @Test
    void cpuIsSplitByTheKindOfThreadThatUsedIt() throws Exception {
        AtomicBoolean spin = new AtomicBoolean(true);
        try (ProcessSampler sampler = new ProcessSampler(ProcessHandle.current().pid(), false)) {
            Thread busy = Thread.ofPlatform().name("capture-src_test").start(() -> {
                long x = 0;
                while (spin.get()) {
                    x += System.nanoTime() % 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            });
            Thread.sleep(1_000);
            spin.set(false);
            busy.join();
            ProcessSampler.Usage usage = sampler.finishWindow();

            assertThat(usage.cpuPercentByThread()).containsKey("capture");
            assertThat(usage.cpuPercentByThread().get("capture")).isGreaterThan(30.0);
            assertThat(usage.cpuPercentByThread().values().stream().mapToDouble(Double::doubleValue).sum())
                    .isLessThanOrEqualTo(usage.cpuPercent() * 1.1 + 5);
        }
    }

    @Test
    void threadsAreGroupedByWhatTheyDoInStreamHook() {
        assertThat(ProcessSampler.kindOf("C2 CompilerThre")).isEqualTo("jit_compiler");
        assertThat(ProcessSampler.kindOf("GC Thread#0")).isEqualTo("gc_and_vm");
        assertThat(ProcessSampler.kindOf("ForkJoinPool-1-")).isEqualTo("virtual_threads_lanes");
        assertThat(ProcessSampler.kindOf("webhook-client-")).isEqualTo("http_client");
        assertThat(ProcessSampler.kindOf("store-writer")).isEqualTo("store");
        assertThat(ProcessSampler.kindOf("capture-src_abc")).isEqualTo("capture");
        assertThat(ProcessSampler.kindOf("main")).isEqualTo("other");
    }
}
