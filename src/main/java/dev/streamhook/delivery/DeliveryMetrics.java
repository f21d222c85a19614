package dev.streamhook.delivery;

import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Status;

/**
 * What delivery tells the node's metrics. Called on lane threads, once per attempt, after its
 * outcome is settled in memory (before it is recorded in the store): implementations must be
 * thread-safe and must not block.
 */
public interface DeliveryMetrics {

    /** For tests and tools that measure nothing. */
    DeliveryMetrics NONE = (destinationId, attempt, next, committedAt, now) -> { };

    /**
     * An attempt to {@code destinationId} ended as {@code attempt}; the delivery is now {@code next}
     * ({@code SUCCEEDED}, {@code PENDING} for a retry, {@code FAILED} for good). {@code committedAt}
     * is when its change was committed in the source database, {@code now} the clock of the lane.
     */
    void attempted(String destinationId, Attempt attempt, Status next, long committedAt, long now);
}
