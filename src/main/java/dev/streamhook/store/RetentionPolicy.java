package dev.streamhook.store;

import dev.streamhook.store.DeliveryQueue.Status;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * How long an event is kept once nothing is left to send: {@code delivered} after it was captured
 * when every delivery succeeded (or it had none), {@code failed} when one failed for good. An event
 * with a delivery still pending or held is kept whatever its age. Empty: kept for ever.
 */
public record RetentionPolicy(Optional<Duration> delivered, Optional<Duration> failed) {

    public static final RetentionPolicy FOREVER = new RetentionPolicy(Optional.empty(), Optional.empty());

    /** Whether anything is ever pruned. */
    public boolean prunes() {
        return delivered.isPresent() || failed.isPresent();
    }

    /** The shortest period: events captured more recently than this are never pruned. */
    Optional<Duration> shortest() {
        if (delivered.isEmpty()) {
            return failed;
        }
        return failed.isEmpty() || delivered.get().compareTo(failed.get()) <= 0 ? delivered : failed;
    }

    /**
     * Until when an event captured at {@code createdAt} (epoch millis) with deliveries in
     * {@code statuses} is kept; empty while it has something left to send or when kept for ever.
     */
    public Optional<Long> keptUntil(long createdAt, Collection<Status> statuses) {
        if (statuses.contains(Status.PENDING) || statuses.contains(Status.HELD)) {
            return Optional.empty();
        }
        Optional<Duration> period = statuses.contains(Status.FAILED) ? failed : delivered;
        return period.map(p -> createdAt + p.toMillis());
    }
}
