package dev.streamhook.delivery;

import dev.streamhook.delivery.RowSequencer.Item;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** How a lane of a destination that takes batches fills one request from its {@link RowSequencer}. */
final class RowBatches {

    private RowBatches() {
    }

    /**
     * A batch for one request: the free events due at {@code now}, oldest first, then, while there
     * is room, the events right behind them in their rows whose every earlier event of the row is
     * in the batch too; at most {@code max} events and {@code maxBytes} of bodies (one event is
     * taken whatever its size). In event order, so a row's events keep their order within the
     * array; a table-wide event never joins behind others. All are marked in flight and are
     * settled together: on a failure, the later events of a row fall back behind its first.
     */
    static List<Item> take(RowSequencer rows, long now, int max, long maxBytes) {
        List<Item> out = rows.take(now, max, maxBytes);
        Set<Item> in = Collections.newSetFromMap(new IdentityHashMap<>());
        in.addAll(out);
        long taken = out.stream().mapToLong(i -> i.pending.body().length).sum();
        ArrayDeque<Item> behind = new ArrayDeque<>(out);
        while (!behind.isEmpty() && out.size() < max) {
            Item before = behind.poll();
            for (String key : before.rowKeys) {
                Item next = rows.after(key, before);
                if (next == null || in.contains(next) || !rows.joins(next, in, now) || taken + next.pending.body().length > maxBytes) {
                    continue;
                }
                rows.markInFlight(next);
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
}
