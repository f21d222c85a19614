package dev.streamhook.delivery;

import dev.streamhook.store.DeliveryQueue.Result;
import dev.streamhook.store.DeliveryQueue.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A lane's results between being settled in memory and being committed to the store, written one
 * group at a time: the next group waits for the last one's commit, so results that settle
 * meanwhile go in one write. Per write the store checks the lease, the endpoint's health and the
 * minute's counters once, and at a high rate those checks cost more than the results themselves.
 *
 * <p>A delivery settled for good (succeeded, failed) stays {@link #settled} until its group is
 * committed: until then the store still says pending, and a read of the store must not bring it
 * back into the lane.
 *
 * <p>Thread-safety: none; owned by the lane's thread, which also applies the store's answer.
 */
final class UnrecordedResults {

    private final List<Result> waiting = new ArrayList<>();
    private final Set<Long> settled = new HashSet<>();
    private boolean groupInFlight;

    void add(Result result) {
        waiting.add(result);
        if (result.next() != Status.PENDING) {
            settled.add(result.deliveryId());
        }
    }

    /** Whether the delivery was settled for good in memory and its result is not committed yet. */
    boolean settled(long deliveryId) {
        return settled.contains(deliveryId);
    }

    /** The next group to write, now on its way; empty when nothing waits or a group is already on its way. */
    List<Result> takeGroup() {
        if (waiting.isEmpty() || groupInFlight) {
            return List.of();
        }
        groupInFlight = true;
        List<Result> group = List.copyOf(waiting);
        waiting.clear();
        return group;
    }

    /** The group's write failed: it goes first in the next, its deliveries still kept out of reads. */
    void failed(List<Result> group) {
        groupInFlight = false;
        waiting.addAll(0, group);
    }

    /**
     * The group's write is over (recorded, or refused because the lease changed): the store tells
     * what it holds. A retry's result leaves the mark alone: the same delivery may have been settled
     * for good since, in a result still waiting.
     */
    void finished(List<Result> group) {
        groupInFlight = false;
        for (Result r : group) {
            if (r.next() != Status.PENDING) {
                settled.remove(r.deliveryId());
            }
        }
    }

    /** Whether any result is not committed yet: waiting, or in a group on its way. */
    boolean any() {
        return !waiting.isEmpty() || groupInFlight;
    }

    /** What waits unwritten, for a last write at stop. */
    List<Result> waiting() {
        return List.copyOf(waiting);
    }

    /**
     * The lane was lost: a new holder sends these again and this node may record nothing more.
     * A group still on its way commits before any later take-over or read (the store's writer keeps
     * submission order), so after a new lease the store tells what was settled.
     */
    void forget() {
        waiting.clear();
        settled.clear();
    }
}
