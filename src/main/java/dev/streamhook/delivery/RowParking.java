package dev.streamhook.delivery;

import dev.streamhook.delivery.RowSequencer.Item;
import dev.streamhook.store.DeliveryQueue.Pending;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a lane's {@link RowSequencer} lets go of events stuck behind a head that cannot go, so that
 * a busy row cannot fill the lane's bounded window: the events behind it stay pending in the
 * store, with whatever must follow them ({@link Parks}), until the row drains in memory and the
 * lane reads them again in event order ({@link #takeLifted}).
 *
 * <p>Not thread-safe: part of its sequencer, owned by its lane's loop.
 */
final class RowParking {

    private final RowSequencer sequencer;
    private final Parks parks = new Parks();

    RowParking(RowSequencer sequencer) {
        this.sequencer = sequencer;
    }

    /** Whether {@code item} must wait for an event left in the store. */
    boolean holdsBack(Item item) {
        return parks.holdBack(item.pending.table(), item.rowKeys, item.tableWide(), item.seq());
    }

    /** Whether the table is parked and none of its events up to the park is in the lane any more. */
    boolean tableDrained(String name, RowSequencer.Table table) {
        Long after = parks.tableAfter(name);
        return after != null && table.all.headMap(after, true).isEmpty();
    }

    /**
     * Whether {@code p} must stay in the store: an earlier event of one of its rows or of its table
     * is there. Its other rows and its table are then parked too, from {@code p} on, so nothing
     * that must follow it goes meanwhile: neither what is read later nor what is in memory already
     * (an older event made due again by hand can be refused after newer ones were read; those are
     * held back, and let go when the parks are lifted).
     */
    boolean leftInStore(Pending p) {
        if (parks.isEmpty()) {
            return false;
        }
        Item probe = new Item(p);
        if (!holdsBack(probe)) {
            return false;
        }
        if (probe.tableWide()) {
            parkTable(p.table(), p.eventSeq() - 1);
        }
        for (String key : probe.rowKeys) {
            parkRow(key, p.table(), p.eventSeq() - 1);
        }
        return true;
    }

    /** Parks a row (or, past {@link Parks#MAX_ROWS}, its table) and takes what it holds back out of the queues. */
    private void parkRow(String key, String table, long afterSeq) {
        if (!parks.parkRow(key, table, afterSeq)) {
            parkTable(table, afterSeq);
            return;
        }
        ArrayDeque<Item> row = sequencer.row(key);
        if (row != null) {
            sequencer.refreshAll(row.stream().filter(i -> i.seq() > afterSeq).toList());
        }
    }

    private void parkTable(String table, long afterSeq) {
        parks.parkTable(table, afterSeq);
        RowSequencer.Table t = sequencer.table(table);
        if (t != null) {
            sequencer.refreshAll(t.all.tailMap(afterSeq, false).values());
        }
    }

    /**
     * Lets go of the events queued behind each row head that is stuck at {@code now} (held, waiting
     * for a retry later than now, or itself waiting for another event: behind a key change or a
     * TRUNCATE), so they stop filling the lane's window: they stay pending in the store, and the row
     * is parked after the last event kept. Kept are the head and, from the row's end backwards,
     * every event from the first that cannot simply be dropped: one in flight or attempted since it
     * was read (its result may not be recorded yet), one that is in another row too (a key change),
     * or one a table-wide event in the lane must follow. A table whose first table-wide event is
     * stuck is treated the same way, from the table's last event back. Returns how many were let go.
     */
    int parkBehindBlockedHeads(long now) {
        int dropped = 0;
        for (Map.Entry<String, RowSequencer.Table> entry : sequencer.tableEntries()) {
            RowSequencer.Table table = entry.getValue();
            Item first = table.tableWide.isEmpty() ? null : table.tableWide.firstEntry().getValue();
            if (first == null || !stuck(first, now, STUCK_DEPTH)) {
                continue;
            }
            Item last;
            while ((last = table.all.lastEntry().getValue()) != first && droppable(last)) { // a row's last event first
                sequencer.forget(last);
                dropped++;
            }
            parkTable(entry.getKey(), table.all.lastKey());
        }
        for (Map.Entry<String, ArrayDeque<Item>> entry : sequencer.rowEntries()) {
            ArrayDeque<Item> row = entry.getValue();
            Item head = row.peekFirst();
            if (row.size() < 2 || !stuck(head, now, STUCK_DEPTH)) {
                continue;
            }
            // a row is in event order but for an older event made due again behind a head in flight: only what
            // is newer than everything kept goes, and the row is parked after the newest event kept
            List<Item> items = new ArrayList<>(row);
            long[] newestBefore = new long[items.size()];
            for (int i = 1; i < items.size(); i++) {
                newestBefore[i] = Math.max(newestBefore[i - 1], items.get(i - 1).seq());
            }
            int keep = items.size();
            while (keep > 1 && droppable(items.get(keep - 1)) && items.get(keep - 1).seq() > newestBefore[keep - 1]) {
                sequencer.forget(items.get(--keep));
                dropped++;
            }
            parkRow(entry.getKey(), head.pending.table(), Math.max(newestBefore[keep - 1], items.get(keep - 1).seq()));
        }
        return dropped;
    }

    /** How far {@link #stuck} follows what an event waits for. */
    private static final int STUCK_DEPTH = 4;

    /**
     * Whether the item cannot go for a while: held, waiting for its retry time after failing, held back by a
     * park, or waiting for an event that is stuck itself (the head of another of its rows, an
     * earlier event of its table for a TRUNCATE, the TRUNCATE before it), followed {@code depth}
     * steps. One in flight, or waiting only for one in flight or due, is not: it goes soon.
     */
    private boolean stuck(Item item, long now, int depth) {
        if (item.inFlight) {
            return false;
        }
        // a delivery that has failed: one written a moment ago is not due yet by the lane's clock either, but it
        // is not stuck (taking it for stuck let go of events in normal operation, and SnapshotIT failed on that)
        boolean failing = item.attempts > 0 && item.nextAttemptAt > now;
        if (item.held || failing || holdsBack(item)) {
            return true;
        }
        if (depth == 0) {
            return false;
        }
        RowSequencer.Table table = sequencer.table(item.pending.table());
        if (item.tableWide()) {
            for (Item earlier : table.all.headMap(item.seq(), false).values()) {
                if (stuck(earlier, now, 0)) {
                    return true;
                }
            }
            return false;
        }
        for (String key : item.rowKeys) {
            Item head = sequencer.row(key).peekFirst();
            if (head != item && stuck(head, now, depth - 1)) {
                return true;
            }
        }
        Long truncate = table.tableWide.isEmpty() ? null : table.tableWide.firstKey();
        return truncate != null && truncate < item.seq() && stuck(table.tableWide.firstEntry().getValue(), now, depth - 1);
    }

    private boolean droppable(Item item) {
        if (item.inFlight || item.attempts != item.pending.attempts() || item.rowKeys.size() != 1) {
            return false;
        }
        RowSequencer.Table table = sequencer.table(item.pending.table());
        return table.tableWide.ceilingKey(item.seq()) == null;
    }

    /** Whether the row is parked and none of its events up to the park is in the lane any more. */
    boolean rowDrained(String key, ArrayDeque<Item> row) {
        Long after = parks.rowAfter(key);
        if (after == null) {
            return false;
        }
        for (Item i : row) {
            if (i.seq() <= after) {
                return false;
            }
        }
        return true;
    }

    /**
     * A parked row or table drained: every park is lifted. What the parks held back in memory (newer
     * events than an older one made due again by hand and left in the store) goes back to the store
     * with whatever must follow it, so the lane reads it all again in event order. An event of them
     * in flight stays: it went before the older one, as one in flight always may.
     */
    void liftParks() {
        ArrayDeque<Item> toGo = new ArrayDeque<>();
        for (Item i : sequencer.items()) {
            if (!i.inFlight && holdsBack(i)) {
                toGo.add(i);
            }
        }
        Set<Item> going = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        long lowest = Long.MAX_VALUE;
        while (!toGo.isEmpty()) {
            Item x = toGo.poll();
            if (!going.add(x)) {
                continue;
            }
            lowest = Math.min(lowest, x.seq() - 1);
            for (String key : x.rowKeys) {
                boolean behind = false;
                for (Item f : sequencer.row(key)) {
                    if (behind && !f.inFlight) {
                        toGo.add(f);
                    }
                    behind |= f == x;
                }
            }
            RowSequencer.Table table = sequencer.table(x.pending.table());
            for (Item f : (x.tableWide() ? table.all : table.tableWide).tailMap(x.seq(), false).values()) {
                if (!f.inFlight) {
                    toGo.add(f);
                }
            }
        }
        going.forEach(sequencer::forget);
        parks.liftAll(lowest);
        sequencer.refreshAll(sequencer.items());
    }

    /**
     * After which sequence number the lane must read again, because parks were lifted since the
     * last call (a parked row or table drained) and what they left in the store lies beyond it; -1
     * when none was.
     */
    long takeLifted() {
        return parks.takeLifted();
    }
}
