package dev.streamhook.delivery;

import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.DeliveryQueue.Pending;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;

/**
 * What a lane reads from the store into its {@link RowSequencer}, and when: its pending deliveries
 * in event order from a cursor, in pages sized to the room left in the lane's window (in deliveries
 * and in body bytes), and only while the lane holds less than half of its window. A window that
 * is full while nothing in it can be sent may be full of a row's events queued behind a head that
 * keeps failing: those are let go ({@link RowSequencer#parkBehindBlockedHeads}), so the
 * destination's other rows are read and go on.
 *
 * <p>Not thread-safe: owned by its lane's loop.
 */
final class LaneReader {

    /** Deliveries read by a lane's first page, before it knows how large its events are. */
    private static final int FIRST_PAGE = 100;

    private final DeliveryQueue queue;
    private final int window;
    private final long windowBytes;
    private long cursor;
    private boolean moreInStore = true;
    /** The largest body of the last page read (0 before the first): sizes the next page. */
    private long largestBody;
    /** Parks were lifted: read again from the lowered cursor, once the lane's results are all in the store. */
    private boolean rereadPending;
    /** A read waits for the lane's results to be committed; the lane's next message (their commit) wakes it. */
    private boolean waitingForResults;

    /** {@code window} and {@code windowBytes}: what the lane holds in memory at most, in deliveries and in body bytes. */
    LaneReader(DeliveryQueue queue, int window, long windowBytes) {
        this.queue = queue;
        this.window = window;
        this.windowBytes = windowBytes;
    }

    /** New deliveries may be in the store, after what was read. */
    void more() {
        moreInStore = true;
    }

    /** Reads again from the lane's start, where older deliveries made due again (or let go of) wait. */
    void fromStart() {
        cursor = 0;
        moreInStore = true;
    }

    /** Whether a {@link #read} would read now. */
    boolean wantsToRead(RowSequencer rows) {
        return !waitingForResults && moreInStore && roomIn(rows);
    }

    /**
     * Reads one page into {@code rows} if there is more and room for it, after letting go of what
     * is stuck at {@code now}. {@code withFailed}: the destination's failed deliveries come too,
     * to hold their rows back; {@code settled}: deliveries the lane settled but has not recorded yet
     * (still pending in the store, they must not come back); {@code resultsUnrecorded}: whether any
     * result of the lane is not in the store yet.
     */
    void read(String destinationId, RowSequencer rows, boolean withFailed, LongPredicate settled, BooleanSupplier resultsUnrecorded,
              long now) {
        long lifted = rows.takeLifted();
        if (lifted >= 0) { // what a drained row left in the store comes back, in event order
            cursor = Math.min(cursor, lifted);
            moreInStore = true;
            rereadPending = true;
        }
        waitingForResults = rereadPending && resultsUnrecorded.getAsBoolean();
        if (waitingForResults) {
            return; // what was let go may have results not committed yet: read it once the store has them
        }
        rereadPending = false;
        unclog(rows, now);
        if (!wantsToRead(rows)) {
            return;
        }
        int room = pageSize(rows);
        List<Pending> page = queue.pending(destinationId, cursor, room, withFailed);
        boolean full = false;
        if (!page.isEmpty()) {
            largestBody = 1;
            for (Pending p : page) {
                largestBody = Math.max(largestBody, p.body().length);
            }
        }
        int added = 0;
        for (Pending p : page) {
            // large events: the rest waits in the store, read again from here. The first one a read takes is
            // taken whatever its size (a read starts below half the window), so every read gets on
            if (added > 0 && rows.bytes() + p.body().length > windowBytes) {
                full = true;
                break;
            }
            cursor = Math.max(cursor, p.eventSeq());
            if (!settled.test(p.deliveryId()) && rows.add(p)) {
                added++;
            }
        }
        moreInStore = full || page.size() == room;
        if (rows.size() == 0 && page.isEmpty()) {
            cursor = 0; // idle: the next read starts from the lane's start, which costs only what is pending
        }
        unclog(rows, now); // what this page brought in may be stuck behind a failing head too
    }

    private void unclog(RowSequencer rows, long now) {
        if (moreInStore && !roomIn(rows) && rows.ready(now) == 0) {
            rows.parkBehindBlockedHeads(now);
        }
    }

    private boolean roomIn(RowSequencer rows) {
        return rows.size() < window / 2 && rows.bytes() < windowBytes / 2;
    }

    /**
     * How many deliveries to read: what fits the window in count and, at the largest body of the
     * last page, in bytes; a lane that has read nothing yet reads a small first page. Without the
     * byte cap a lane of 10 KB events read 800 bodies to keep 200, and one of 1 MiB events would
     * read a gigabyte to keep four.
     */
    private int pageSize(RowSequencer rows) {
        int room = window - rows.size();
        if (largestBody == 0) {
            return Math.min(room, FIRST_PAGE);
        }
        long fitting = (windowBytes - rows.bytes()) / largestBody + 1;
        return (int) Math.max(1, Math.min(room, fitting));
    }
}
