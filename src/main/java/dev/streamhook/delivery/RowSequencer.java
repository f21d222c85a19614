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
 * <p>A lane's window is bounded, so a busy row behind a head that cannot go (waiting for a retry,
 * or held) would fill it and stop the lane reading anything else. {@link #parkBehindBlockedHeads}
 * lets go of such a row's later events (they stay pending in the store) and {@link #add} then
 * leaves the row's later events, and whatever must follow them, in the store too, until a parked
 * row has drained: then every park is lifted at once and the lane reads again from its start
 * ({@link #takeUnparked}), so the events come back in event order.
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
    private static final class Table {
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
    /** A row whose events after {@code afterSeq} are left in the store; {@code table}: the row's table. */
    private record Parked(String table, long afterSeq) {
    }

    private final Map<String, Parked> parkedRows = new HashMap<>();
    /** Tables whose events after the given sequence number are left in the store (behind a table-wide event that is). */
    private final Map<String, Long> parkedTables = new HashMap<>();
    /** A parked row drained: the parks are lifted and the lane must read its events again from its start. */
    private boolean unparked;

    /**
     * Adds a delivery read from the store; false when the lane has it already, or leaves it in the
     * store because it must follow an event left there (see {@link #parkBehindBlockedHeads}).
     */
    boolean add(Pending p) {
        if (byId.containsKey(p.deliveryId()) || leftInStore(p)) {
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

    /**
     * Whether {@code p} must stay in the store: an earlier event of one of its rows or of its table
     * is there. Its other rows and its table are then parked too, from {@code p} on, so nothing
     * that must follow it is taken in meanwhile.
     */
    private boolean leftInStore(Pending p) {
        if (parkedRows.isEmpty() && parkedTables.isEmpty()) {
            return false;
        }
        Long tableAfter = parkedTables.get(p.table());
        if (tableAfter != null && p.eventSeq() > tableAfter) {
            return true;
        }
        Item probe = new Item(p);
        boolean behindParked;
        if (probe.tableWide()) { // it waits for every earlier event of its table: none may be in the store
            behindParked = parkedRows.values().stream().anyMatch(r -> r.table().equals(p.table()) && r.afterSeq() < p.eventSeq());
        } else {
            behindParked = probe.rowKeys.stream().map(parkedRows::get).anyMatch(r -> r != null && r.afterSeq() < p.eventSeq());
        }
        if (!behindParked) {
            return false;
        }
        if (probe.tableWide()) {
            parkedTables.merge(p.table(), p.eventSeq() - 1, Math::min);
        }
        for (String key : probe.rowKeys) {
            parkRow(key, p.table(), p.eventSeq() - 1);
        }
        return true;
    }

    private void parkRow(String key, String table, long afterSeq) {
        parkedRows.merge(key, new Parked(table, afterSeq), (a, b) -> a.afterSeq() <= b.afterSeq() ? a : b);
    }

    /**
     * Lets go of the events queued behind each row head that cannot go at {@code now} (held, or
     * waiting for a retry later than now), so they stop filling the lane's window: they stay pending
     * in the store, and the row is parked after the last event kept. Kept are the head and, from the
     * row's end backwards, every event from the first that cannot simply be dropped: one in flight,
     * one that is in another row too (a key change), or one a table-wide event in the lane must
     * follow. A table whose first table-wide event cannot go is treated the same way, from the
     * table's last event back. Returns how many were let go.
     */
    int parkBehindBlockedHeads(long now) {
        int dropped = 0;
        for (Map.Entry<String, Table> entry : List.copyOf(tables.entrySet())) {
            Table table = entry.getValue();
            Item first = table.tableWide.isEmpty() ? null : table.tableWide.firstEntry().getValue();
            if (first == null || !blocked(first, now)) {
                continue;
            }
            Item last;
            while ((last = table.all.lastEntry().getValue()) != first && droppable(last)) { // a row's last event first
                forget(last);
                dropped++;
            }
            parkedTables.merge(entry.getKey(), table.all.lastKey(), Math::min);
        }
        for (Map.Entry<String, ArrayDeque<Item>> entry : List.copyOf(rows.entrySet())) {
            ArrayDeque<Item> row = entry.getValue();
            Item head = row.peekFirst();
            if (row.size() < 2 || !blocked(head, now)) {
                continue;
            }
            Item last;
            while ((last = row.peekLast()) != head && droppable(last)) {
                forget(last);
                dropped++;
            }
            parkRow(entry.getKey(), head.pending.table(), row.peekLast().seq());
        }
        return dropped;
    }

    /** Held, or waiting for a retry later than {@code now}. */
    private static boolean blocked(Item item, long now) {
        return !item.inFlight && (item.held || item.nextAttemptAt > now);
    }

    private boolean droppable(Item item) {
        if (item.inFlight || item.rowKeys.size() != 1) {
            return false;
        }
        Table table = tables.get(item.pending.table());
        return table.tableWide.ceilingKey(item.seq()) == null;
    }

    /** Takes an item out of the lane unsettled: it stays pending in the store. */
    private void forget(Item item) {
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

    /** A parked row or table drained: what it left in the store may go now, and the parks derived from it are lifted with it. */
    private void liftParks() {
        parkedRows.clear();
        parkedTables.clear();
        unparked = true;
    }

    /**
     * Whether a parked row or table drained since the last call: every park is lifted then, and the lane
     * must read from its start again to take in what was left in the store, in event order.
     */
    boolean takeUnparked() {
        boolean was = unparked;
        unparked = false;
        return was;
    }

    /** Whether nothing that must go first is still in the lane. */
    private boolean free(Item item) {
        Table table = tables.get(item.pending.table());
        if (item.tableWide()) {
            return table.all.firstKey() == item.seq();
        }
        for (String key : item.rowKeys) {
            if (rows.get(key).peekFirst() != item) {
                return false;
            }
        }
        return table.tableWide.isEmpty() || table.tableWide.firstKey() > item.seq();
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

    private void refreshAll(Collection<Item> items) {
        for (Item i : List.copyOf(items)) { // a copy: refreshing reads the table the view is of
            refresh(i);
        }
    }

    /** Up to {@code max} free events due at {@code now}, oldest event first, now marked in flight. */
    List<Item> take(long now, int max) {
        return take(now, max, Long.MAX_VALUE);
    }

    /**
     * A batch for one request: the free events due at {@code now}, oldest first, then, while there
     * is room, the events right behind them in their rows whose every earlier event of the row is
     * in the batch too; at most {@code max} events and {@code maxBytes} of bodies (one event is
     * taken whatever its size). In event order, so a row's events keep their order within the
     * array; a table-wide event never joins behind others. All are marked in flight and are
     * settled together: on a failure, the later events of a row fall back behind its first.
     */
    List<Item> takeBatch(long now, int max, long maxBytes) {
        List<Item> out = take(now, max, maxBytes);
        Set<Item> in = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        in.addAll(out);
        long taken = out.stream().mapToLong(i -> i.pending.body().length).sum();
        ArrayDeque<Item> behind = new ArrayDeque<>(out);
        while (!behind.isEmpty() && out.size() < max) {
            Item before = behind.poll();
            for (String key : before.rowKeys) {
                Item next = after(rows.get(key), before);
                if (next == null || in.contains(next) || !joins(next, in, now) || taken + next.pending.body().length > maxBytes) {
                    continue;
                }
                if (next.queued) {
                    next.queued = false;
                    waiting.remove(next);
                    ready.remove(next);
                }
                next.inFlight = true;
                in.add(next);
                out.add(next);
                behind.add(next);
                taken += next.pending.body().length;
                if (out.size() == max) {
                    break;
                }
            }
        }
        out.sort(Comparator.comparingLong(Item::seq));
        return out;
    }

    private static Item after(ArrayDeque<Item> row, Item item) {
        for (java.util.Iterator<Item> it = row.iterator(); it.hasNext(); ) {
            if (it.next() == item) {
                return it.hasNext() ? it.next() : null;
            }
        }
        return null;
    }

    /** Whether the item may ride in a batch behind the events {@code in} it: due, and nothing else goes first. */
    private boolean joins(Item item, Set<Item> in, long now) {
        if (item.tableWide() || item.held || item.inFlight || item.nextAttemptAt > now) {
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
        return table.tableWide.isEmpty() || table.tableWide.firstKey() > item.seq();
    }

    /** Like {@link #take(long, int)}, stopping before the bodies pass {@code maxBytes} (one event is taken whatever its size). */
    private List<Item> take(long now, int max, long maxBytes) {
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
        for (String key : item.rowKeys) {
            ArrayDeque<Item> row = rows.get(key);
            row.remove(item);
            if (row.isEmpty()) {
                rows.remove(key);
                if (parkedRows.containsKey(key)) {
                    liftParks();
                }
            } else {
                refresh(row.peekFirst());
            }
        }
        if (table.all.isEmpty()) {
            tables.remove(tableName);
            if (parkedTables.containsKey(tableName)) {
                liftParks();
            }
        } else if (item.tableWide()) {
            // the table's events up to its next table-wide one waited for this one
            Long next = table.tableWide.isEmpty() ? null : table.tableWide.firstKey();
            refreshAll(next == null ? table.all.values() : table.all.headMap(next, true).values());
        } else if (!table.tableWide.isEmpty()) {
            refresh(table.tableWide.firstEntry().getValue());
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
        item.held = false;
        item.attempts = attempts;
        item.nextAttemptAt = at;
        refresh(item);
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
