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

    /** Adds a delivery read from the store; false when the lane has it already. */
    boolean add(Pending p) {
        if (byId.containsKey(p.deliveryId())) {
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
            } else {
                refresh(row.peekFirst());
            }
        }
        if (table.all.isEmpty()) {
            tables.remove(tableName);
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
