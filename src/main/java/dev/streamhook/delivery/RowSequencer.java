package dev.streamhook.delivery;

import dev.streamhook.store.DeliveryQueue.Pending;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Per-row order for one lane, in memory: the deliveries a lane has read, queued per row (table and
 * key) in event order. Only the head of a row may be sent, so a row's events reach the endpoint in
 * commit order while different rows go in parallel, oldest event first. A head that failed waits
 * for its retry time and holds its row back meanwhile.
 *
 * <p>Not thread-safe: owned by its lane's loop.
 */
final class RowSequencer {

    /** A delivery in the lane, with its retry state as the lane last recorded it. */
    static final class Item {
        final Pending pending;
        int attempts;
        long nextAttemptAt;
        boolean inFlight;

        Item(Pending pending) {
            this.pending = pending;
            this.attempts = pending.attempts();
            this.nextAttemptAt = pending.nextAttemptAt();
        }

        long seq() {
            return pending.eventSeq();
        }
    }

    private final Map<String, ArrayDeque<Item>> rows = new HashMap<>();
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
        ArrayDeque<Item> row = rows.computeIfAbsent(p.rowKey(), k -> new ArrayDeque<>());
        if (row.isEmpty()) {
            row.add(item);
            waiting.add(item);
        } else if (row.peekLast().seq() < item.seq()) {
            row.addLast(item);
        } else {
            insertEarlier(row, item);
        }
        return true;
    }

    /**
     * An older delivery arrives after newer ones of its row (one failed for good was made due again
     * by hand): it goes in event order, but never before a head already in flight.
     */
    private void insertEarlier(ArrayDeque<Item> row, Item item) {
        List<Item> items = new ArrayList<>(row);
        Item head = items.get(0);
        int at = 0;
        while (at < items.size() && (items.get(at).seq() < item.seq() || (at == 0 && head.inFlight))) {
            at++;
        }
        items.add(at, item);
        if (at == 0) {
            waiting.remove(head);
            ready.remove(head);
            waiting.add(item);
        }
        row.clear();
        row.addAll(items);
    }

    /** Up to {@code max} row heads due at {@code now}, oldest event first, now marked in flight. */
    List<Item> take(long now, int max) {
        while (!waiting.isEmpty() && waiting.peek().nextAttemptAt <= now) {
            ready.add(waiting.poll());
        }
        List<Item> out = new ArrayList<>(Math.min(max, ready.size()));
        while (out.size() < max && !ready.isEmpty()) {
            Item item = ready.poll();
            item.inFlight = true;
            out.add(item);
        }
        return out;
    }

    /** The item is settled (delivered, or failed for good): its row's next delivery becomes the head. */
    void done(Item item) {
        byId.remove(item.pending.deliveryId());
        bytes -= item.pending.body().length;
        ArrayDeque<Item> row = rows.get(item.pending.rowKey());
        row.remove(item);
        if (row.isEmpty()) {
            rows.remove(item.pending.rowKey());
        } else {
            waiting.add(row.peekFirst()); // only a head is ever scheduled or in flight, so the next one is neither yet
        }
    }

    /** The item failed and is tried again at {@code at}; its row waits for it. */
    void retryAt(Item item, long at) {
        item.inFlight = false;
        item.nextAttemptAt = at;
        waiting.add(item);
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
