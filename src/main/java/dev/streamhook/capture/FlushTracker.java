package dev.streamhook.capture;

import dev.streamhook.event.Lsn;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Decides what one replication session may report to PostgreSQL as flushed. Capture hands
 * transactions to the store without waiting and reads on; a transaction's end LSN is confirmed only
 * once it and every transaction before it are committed in the store (stores complete in order,
 * and an empty transaction still waits for those before it). Once a store write fails, nothing
 * more is confirmed in this session: PostgreSQL resends from the last confirmed position.
 *
 * <p>Between transactions, with nothing waiting for the store, the server's latest position is
 * confirmed too ({@link #confirmIdle}), so an idle source does not make PostgreSQL keep WAL.
 *
 * <p>Thread-safety: {@link #begin}, {@link #afterStored} are called by the capture thread in stream
 * order; completions arrive on the store's writer thread; {@link #confirmIdle} on a timer.
 */
final class FlushTracker {

    private final Consumer<Lsn> confirm;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong confirmed = new AtomicLong();
    private volatile boolean inTransaction;
    private volatile boolean failed;
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

    /** {@code confirm} reports an LSN as flushed (PgJDBC's setFlushedLSN, which is safe from any thread). */
    FlushTracker(Consumer<Lsn> confirm) {
        this.confirm = confirm;
    }

    void begin() {
        inTransaction = true;
    }

    /**
     * {@code stored} is the store write of a chunk or of a whole transaction, submitted in stream
     * order; {@code endLsn} is the transaction's end when this write completes it, else null. The
     * returned future completes after the confirmation (or fails with the write).
     */
    CompletableFuture<?> afterStored(CompletableFuture<?> stored, Lsn endLsn) {
        pending.incrementAndGet(); // before the transaction counts as closed, so confirmIdle never sees it neither open nor pending
        if (endLsn != null) {
            inTransaction = false;
        }
        tail = tail.thenCombine(stored, (a, b) -> b).whenComplete((ok, error) -> {
            if (error != null) {
                failed = true;
            } else if (endLsn != null && !failed) {
                confirmUpTo(endLsn);
            }
            pending.decrementAndGet();
        });
        return tail;
    }

    /**
     * Confirms the server's latest position when no transaction is open and nothing waits for the
     * store. {@code received} is read first: a Begin received but not yet handled can only put it at
     * that transaction's first record, which PostgreSQL still resends in full.
     */
    void confirmIdle(Supplier<Lsn> received) {
        Lsn position = received.get();
        if (!inTransaction && pending.get() == 0 && !failed) {
            confirmUpTo(position);
        }
    }

    boolean failed() {
        return failed;
    }

    /** Bytes and writes still waiting for the store. */
    int pending() {
        return pending.get();
    }

    private void confirmUpTo(Lsn lsn) {
        long before = confirmed.getAndAccumulate(lsn.value(), Math::max);
        if (lsn.value() > before) {
            confirm.accept(lsn);
        }
    }
}
