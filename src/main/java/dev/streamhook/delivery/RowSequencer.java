package dev.streamhook.delivery;

import dev.streamhook.store.DeliveryQueue.Pending;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per-row order for one lane, in memory: the deliveries a lane has read, queued per row (table and
 * key) in event order. Only an event at the head of its row may be sent, so a row's events reach
 * the endpoint in commit order while different rows go in parallel, oldest event first. A head
 * that failed waits for its retry time and holds its row back meanwhile.
 *
 * <p>Two kinds of event belong to more than one row. An UPDATE that changed the row's key is in
 * the queue of its old key and of its new key, and goes only when it heads both: after the old
 * key's earlier events, before the new key's later ones. A table-wide event (TRUNCATE) goes only
 * once every earlier event of its table is settled, and every later event of the table waits for
 * it.
 *
 * <p>A head that failed for good, at a destination that holds on failure, is <em>held</em>: never
 * sent and never due, it keeps its rows (and its table, if table-wide) waiting until the lane
 * {@link #release releases} it (retried by hand) or {@link #done settles} it (skipped by hand).
 *
 * <p>So that a busy row behind a stuck head cannot fill the lane's bounded window, the events
 * behind it can be let go, left pending in the store with whatever must follow them ({@link Parks},
 * {@link #parkBehindBlockedHeads}), until the row drains and the lane reads them again ({@link #takeLifted}).
 *
 * <p>Not thread-safe: owned by its lane's loop.
 */
final class RowSequencer {

    /** A delivery in the lane, with its retry state as the lane last recorded it. */
    static final class Item {
        final Pending pending;
        final List<String> rowKeys;
        int attempts;
        long nextAttemptAt;
        boolean inFlight;
        /** In {@code waiting} or {@code ready}: free to go when due. */
        boolean queued;
        /** Failed for good and holding its rows back: never due until released. */
        boolean held;

        Item(Pending pending) {
            this.pending = pending;
            this.attempts = pending.attempts();
            this.nextAttemptAt = pending.nextAttemptAt();
            this.held = pending.failed();
            if (pending.operation().tableWide()) {
                this.rowKeys = List.of();
            } else if (pending.oldRowKey() == null || pending.oldRowKey().equals(pending.rowKey())) {
                this.rowKeys = List.of(pending.rowKey());
            } else {
                this.rowKeys = List.of(pending.oldRowKey(), pending.rowKey());
            }
        }

        long seq() {
            return pending.eventSeq();
        }

        boolean tableWide() {
            return pending.operation().tableWide();
        }
    }

    /** A table's events in the lane by event order, and its table-wide ones among them. */
    static final class Table {
        final TreeMap<Long, Item> all = new TreeMap<>();
        final TreeMap<Long, Item> tableWide = new TreeMap<>();
    }

    private final Map<String, ArrayDeque<Item>> rows = new HashMap<>();
    private final Map<String, Table> tables = new HashMap<>();
    private long bytes;
    private final Map<Long, Item> byId = new HashMap<>();
    private final PriorityQueue<Item> ready = new PriorityQueue<>(Comparator.comparingLong(Item::seq));
    private final PriorityQueue<Item> waiting = new PriorityQueue<>(
            Comparator.comparingLong((Item i) -> i.nextAttemptAt).thenComparingLong(Item::seq));
    private final RowParking parking = new RowParking(this);

    /**
     * Adds a delivery read from the store; false when the lane has it already, or leaves it in the
     * store because it must follow an event left there (see {@link #parkBehindBlockedHeads}).
     */
    boolean add(Pending p) {
        if (byId.containsKey(p.deliveryId()) || parking.leftInStore(p)) {
            return false;
        }
        Item item = new Item(p);
        byId.put(p.deliveryId(), item);
        bytes += p.body().length;
        Table table = tables.computeIfAbsent(p.table(), k -> new Table());
        table.all.put(item.seq(), item);
        if (item.tableWide()) {
            table.tableWide.put(item.seq(), item);
        }
        for (String key : item.rowKeys) {
            ArrayDeque<Item> row = rows.computeIfAbsent(key, k -> new ArrayDeque<>());
            if (row.isEmpty() || row.peekLast().seq() < item.seq()) {
                row.addLast(item);
            } else {
                insertEarlier(row, item);
            }
        }
        // usually just the new item; an older one (made due again by hand) may take a place before others of its table
        refreshAll(table.all.tailMap(item.seq(), true).values());
        return true;
    }

    /**
     * An older delivery arrives after newer ones of its row (one failed for good was made due again
     * by hand): it goes in event order, but never before a head already in flight.
     */
    private static void insertEarlier(ArrayDeque<Item> row, Item item) {
        List<Item> items = new ArrayList<>(row);
        int at = 0;
        while (at < items.size() && (items.get(at).seq() < item.seq() || (at == 0 && items.get(0).inFlight))) {
            at++;
        }
        items.add(at, item);
        row.clear();
        row.addAll(items);
    }

    /** Takes an item out of the lane unsettled: it stays pending in the store. */
    void forget(Item item) {
        if (!holds(item)) {
            return;
        }
        byId.remove(item.pending.deliveryId());
        bytes -= item.pending.body().length;
        if (item.queued) {
            item.queued = false;
            waiting.remove(item);
            ready.remove(item);
        }
        Table table = tables.get(item.pending.table());
        table.all.remove(item.seq());
        if (table.all.isEmpty()) {
            tables.remove(item.pending.table());
        }
        for (String key : item.rowKeys) {
            ArrayDeque<Item> row = rows.get(key);
            row.remove(item);
            if (row.isEmpty()) {
                rows.remove(key);
            }
        }
    }

    ArrayDeque<Item> row(String key) {
        return rows.get(key);
    }

    Table table(String name) {
        return tables.get(name);
    }

    List<Map.Entry<String, ArrayDeque<Item>>> rowEntries() {
        return List.copyOf(rows.entrySet());
    }

    List<Map.Entry<String, Table>> tableEntries() {
        return List.copyOf(tables.entrySet());
    }

    Collection<Item> items() {
        return byId.values();
    }

    /** Lets go of events stuck behind heads that cannot go ({@link RowParking#parkBehindBlockedHeads}). */
    int parkBehindBlockedHeads(long now) {
        return parking.parkBehindBlockedHeads(now);
    }

    /** After which sequence number the lane must read again ({@link RowParking#takeLifted}); -1 when it need not. */
    long takeLifted() {
        return parking.takeLifted();
    }

    /** Whether nothing that must go first is still in the lane. */
    private boolean free(Item item) {
        if (parking.holdsBack(item)) {
            return false;
        }
        Table table = tables.get(item.pending.table());
        if (item.tableWide()) { // and nothing of its table in flight: an older TRUNCATE made due again by hand waits for newer events out
            return table.all.firstKey() == item.seq() && table.all.values().stream().noneMatch(i -> i.inFlight);
        }
        for (String key : item.rowKeys) {
            if (rows.get(key).peekFirst() != item) {
                return false;
            }
        }
        return afterTruncates(table, item);
    }

    /**
     * Whether no TRUNCATE of the row event's table must go first, and none is in flight (an older
     * event made due again by hand must not go beside a newer TRUNCATE that is out).
     */
    private static boolean afterTruncates(Table table, Item item) {
        if (table.tableWide.isEmpty()) {
            return true;
        }
        if (table.tableWide.firstKey() < item.seq()) {
            return false;
        }
        for (Item truncate : table.tableWide.values()) {
            if (truncate.inFlight) {
                return false;
            }
        }
        return true;
    }

    /** Queues the item when it became free, takes it out of the queues when it no longer is; in flight, it is left alone. */
    private void refresh(Item item) {
        if (item.inFlight || item.held) {
            return;
        }
        boolean free = free(item);
        if (free && !item.queued) {
            item.queued = true;
            waiting.add(item);
        } else if (!free && item.queued) {
            item.queued = false;
            waiting.remove(item);
            ready.remove(item);
        }
    }

    void refreshAll(Collection<Item> items) {
        for (Item i : List.copyOf(items)) { // a copy: refreshing reads the table the view is of
            refresh(i);
        }
    }

    /** Up to {@code max} free events due at {@code now}, oldest event first, now marked in flight. */
    List<Item> take(long now, int max) {
        return take(now, max, Long.MAX_VALUE);
    }

    /** A batch for one request that keeps per-row order ({@link RowBatches#take}). */
    List<Item> takeBatch(long now, int max, long maxBytes) {
        return RowBatches.take(this, now, max, maxBytes);
    }

    /** The event right behind {@code item} in the row {@code key}, or null. */
    Item after(String key, Item item) {
        for (java.util.Iterator<Item> it = rows.get(key).iterator(); it.hasNext(); ) {
            if (it.next() == item) {
                return it.hasNext() ? it.next() : null;
            }
        }
        return null;
    }

    /** Takes a queued item out of the queues and marks it in flight (it rides in a batch). */
    void markInFlight(Item item) {
        if (item.queued) {
            item.queued = false;
            waiting.remove(item);
            ready.remove(item);
        }
        item.inFlight = true;
    }

    /** Whether the item may ride in a batch behind the events {@code in} it: due, and nothing else goes first. */
    boolean joins(Item item, Set<Item> in, long now) {
        if (item.tableWide() || item.held || item.inFlight || item.nextAttemptAt > now || parking.holdsBack(item)) {
            return false;
        }
        for (String key : item.rowKeys) {
            for (Item earlier : rows.get(key)) {
                if (earlier == item) {
                    break;
                }
                if (!in.contains(earlier)) {
                    return false;
                }
            }
        }
        Table table = tables.get(item.pending.table());
        return afterTruncates(table, item);
    }

    /** Like {@link #take(long, int)}, stopping before the bodies pass {@code maxBytes} (one event is taken whatever its size). */
    List<Item> take(long now, int max, long maxBytes) {
        int count = ready(now);
        List<Item> out = new ArrayList<>(Math.min(max, count));
        long taken = 0;
        while (out.size() < max && !ready.isEmpty()) {
            long size = ready.peek().pending.body().length;
            if (!out.isEmpty() && taken + size > maxBytes) {
                break;
            }
            taken += size;
            Item item = ready.poll();
            item.queued = false;
            item.inFlight = true;
            out.add(item);
        }
        return out;
    }

    /** How many free events are due at {@code now}: what a {@link #take} would find. */
    int ready(long now) {
        while (!waiting.isEmpty() && waiting.peek().nextAttemptAt <= now) {
            ready.add(waiting.poll());
        }
        return ready.size();
    }

    /** The item is settled (delivered, or failed for good): what waited for it may become free. */
    void done(Item item) {
        if (!holds(item)) {
            return; // let go of meanwhile (RowParking): the store still has it, and what happened to it is read again
        }
        byId.remove(item.pending.deliveryId());
        bytes -= item.pending.body().length;
        item.inFlight = false;
        if (item.queued) {
            item.queued = false;
            waiting.remove(item);
            ready.remove(item);
        }
        String tableName = item.pending.table();
        Table table = tables.get(tableName);
        table.all.remove(item.seq());
        table.tableWide.remove(item.seq());
        boolean lift = false;
        for (String key : item.rowKeys) {
            ArrayDeque<Item> row = rows.get(key);
            row.remove(item);
            if (row.isEmpty()) {
                rows.remove(key);
            } else {
                refresh(row.peekFirst());
            }
            lift |= parking.rowDrained(key, row);
        }
        lift |= parking.tableDrained(tableName, table);
        if (table.all.isEmpty()) {
            tables.remove(tableName);
        } else if (item.tableWide()) {
            // the table's events up to its next table-wide one waited for this one
            Long next = table.tableWide.isEmpty() ? null : table.tableWide.firstKey();
            refreshAll(next == null ? table.all.values() : table.all.headMap(next, true).values());
        } else if (!table.tableWide.isEmpty()) {
            refresh(table.tableWide.firstEntry().getValue());
        }
        if (lift) {
            parking.liftParks();
        }
    }

    /** The item failed and is tried again at {@code at}; its rows wait for it. */
    void retryAt(Item item, long at) {
        item.inFlight = false;
        item.nextAttemptAt = at;
        refresh(item);
    }

    /** The item failed for good and holds its rows back, never sent, until {@link #release} or {@link #done}. */
    void hold(Item item) {
        item.inFlight = false;
        item.held = true;
    }

    /** A held item was made due again (retried by hand): it goes at {@code at}, as its row's head, with the attempts it made. */
    void release(Item item, int attempts, long at) {
        if (!holds(item)) {
            return;
        }
        item.held = false;
        item.attempts = attempts;
        item.nextAttemptAt = at;
        refresh(item);
    }

    /**
     * The store made a delivery that waits for its retry due sooner, at {@code at} (its destination
     * was set active again): it goes then, in its place among its rows.
     */
    void dueSooner(Item item, long at) {
        if (!holds(item) || item.inFlight || item.held || at >= item.nextAttemptAt) {
            return;
        }
        boolean waited = item.queued && waiting.remove(item);
        item.nextAttemptAt = at; // out of the heap while its key changes
        if (waited) {
            waiting.add(item);
        }
    }

    /** The items that failed and wait for their next attempt after {@code now}, oldest first. */
    List<Item> retrying(long now) {
        return byId.values().stream().filter(i -> !i.inFlight && !i.held && i.attempts > 0 && i.nextAttemptAt > now)
                .sorted(Comparator.comparingLong(Item::seq)).toList();
    }

    /** The items held back after failing for good, oldest first. */
    List<Item> held() {
        return byId.values().stream().filter(i -> i.held).sorted(Comparator.comparingLong(Item::seq)).toList();
    }

    /** When the earliest waiting head becomes due; {@link Long#MAX_VALUE} when none waits. */
    long nextDueAt() {
        if (!ready.isEmpty()) {
            return Long.MIN_VALUE;
        }
        return waiting.isEmpty() ? Long.MAX_VALUE : waiting.peek().nextAttemptAt;
    }

    /** Whether this very item is held (not merely another read of the same delivery). */
    boolean holds(Item item) {
        return byId.get(item.pending.deliveryId()) == item;
    }

    int size() {
        return byId.size();
    }

    /** Body bytes held: what bounds a lane's memory when events are large. */
    long bytes() {
        return bytes;
    }
}
