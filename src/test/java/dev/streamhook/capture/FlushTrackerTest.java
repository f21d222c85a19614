package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.event.Lsn;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class FlushTrackerTest {

    private final List<Lsn> confirmed = new CopyOnWriteArrayList<>();
    private final FlushTracker tracker = new FlushTracker(confirmed::add);

    private static Lsn lsn(long value) {
        return new Lsn(value);
    }

    @Test
    void aTransactionIsConfirmedOnlyOnceTheStoreCommittedIt() {
        CompletableFuture<Integer> stored = new CompletableFuture<>();
        tracker.begin();
        tracker.afterStored(stored, lsn(100));
        assertThat(confirmed).isEmpty();
        stored.complete(1);
        assertThat(confirmed).containsExactly(lsn(100));
    }

    @Test
    void anEmptyTransactionWaitsForTheTransactionsBeforeIt() {
        CompletableFuture<Integer> first = new CompletableFuture<>();
        tracker.begin();
        tracker.afterStored(first, lsn(100));
        tracker.begin();
        tracker.afterStored(CompletableFuture.completedFuture(0), lsn(200)); // nothing of ours in it: stored at once
        assertThat(confirmed).isEmpty();
        first.complete(1);
        assertThat(confirmed).containsExactly(lsn(100), lsn(200));
    }

    @Test
    void aChunkOfALargeTransactionConfirmsNothing() {
        CompletableFuture<Integer> chunk = CompletableFuture.completedFuture(1000);
        tracker.begin();
        tracker.afterStored(chunk, null);
        assertThat(confirmed).isEmpty();
        tracker.confirmIdle(() -> lsn(500));
        assertThat(confirmed).as("the transaction is still open").isEmpty();
    }

    @Test
    void afterAFailedStoreWriteNothingMoreIsConfirmed() {
        CompletableFuture<Integer> failed = new CompletableFuture<>();
        tracker.begin();
        tracker.afterStored(failed, lsn(100));
        tracker.begin();
        tracker.afterStored(CompletableFuture.completedFuture(1), lsn(200));
        failed.completeExceptionally(new IllegalStateException("disk full"));

        assertThat(confirmed).isEmpty();
        assertThat(tracker.failed()).isTrue();
        tracker.confirmIdle(() -> lsn(300));
        assertThat(confirmed).isEmpty();
    }

    @Test
    void anIdleSessionConfirmsTheServersPositionOnlyWhenNothingWaitsForTheStore() {
        CompletableFuture<Integer> stored = new CompletableFuture<>();
        tracker.begin();
        tracker.afterStored(stored, lsn(100));
        tracker.confirmIdle(() -> lsn(150));
        assertThat(confirmed).as("a transaction is still on its way to the store").isEmpty();

        stored.complete(1);
        tracker.confirmIdle(() -> lsn(150));
        assertThat(confirmed).containsExactly(lsn(100), lsn(150));
    }

    @Test
    void nothingIsConfirmedTwiceOrBackwards() {
        tracker.confirmIdle(() -> lsn(150));
        tracker.confirmIdle(() -> lsn(150));
        tracker.begin();
        tracker.afterStored(CompletableFuture.completedFuture(1), lsn(120));
        assertThat(confirmed).containsExactly(lsn(150));
    }
}
