package dev.streamhook.delivery;

import dev.streamhook.event.Operation;
import dev.streamhook.store.DeliveryQueue.Pending;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A lane's sequencing of one page of 1,000 deliveries, per delivery: read into the sequencer, taken
 * 16 at a time (the default window) in event order, each done. Rows repeat every 250 events, so
 * three of every four events wait behind an earlier one of their row. It sits next to the
 * package-private {@code RowSequencer}; run with {@code bin/streamhook jmh RowSequencer}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RowSequencerBenchmark {

    private static final int PAGE = 1_000;
    private Pending[] page;

    @Setup
    public void setUp() {
        page = new Pending[PAGE];
        byte[] body = new byte[700];
        for (int i = 0; i < PAGE; i++) {
            page[i] = new Pending(i + 1, i + 1, "evt_" + i, "public.orders[" + (i % 250) + "]", null, "public.orders",
                    Operation.INSERT, 0, 0, 0, body);
        }
    }

    @Benchmark
    @OperationsPerInvocation(PAGE)
    public int sequenceAPage() {
        RowSequencer rows = new RowSequencer();
        for (Pending p : page) {
            rows.add(p);
        }
        int sent = 0;
        while (sent < PAGE) {
            List<RowSequencer.Item> taken = rows.take(1_000, 16);
            for (RowSequencer.Item item : taken) {
                rows.done(item);
            }
            sent += taken.size();
        }
        return sent;
    }
}
