package dev.streamhook.delivery;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a lane's {@link RowSequencer} left in the store: rows and tables whose events after a
 * sequence number are not in memory ({@link RowSequencer#parkBehindBlockedHeads}). Until those are
 * read again, no event of such a row or table after that number may be sent: whatever is in memory
 * there (read before the park, or an older event made due again by hand) waits, and what is read
 * is left in the store too.
 *
 * <p>Not thread-safe: owned by its lane's loop.
 */
final class Parks {

    /**
     * Rows parked one by one at most; past this a row's table is parked instead, which holds back
     * more but is one entry (a long chain of key changes behind a held head would otherwise park a
     * row for each of its keys).
     */
    static final int MAX_ROWS = 10_000;

    private record Row(String table, long afterSeq) {
    }

    private final Map<String, Row> rows = new HashMap<>();
    private final Map<String, Long> tables = new HashMap<>();
    /** The lowest sequence number after which lifted parks left events in the store; -1 when none was lifted. */
    private long liftedAfter = -1;

    boolean isEmpty() {
        return rows.isEmpty() && tables.isEmpty();
    }

    /** Whether an event at {@code seq} of {@code rowKeys} in {@code table} (table-wide: of the whole table) must wait for one left in the store. */
    boolean holdBack(String table, List<String> rowKeys, boolean tableWide, long seq) {
        if (isEmpty()) {
            return false;
        }
        Long tableAfter = tables.get(table);
        if (tableAfter != null && seq > tableAfter) {
            return true;
        }
        if (tableWide) { // it follows every earlier event of its table
            for (Row r : rows.values()) {
                if (r.table().equals(table) && r.afterSeq() < seq) {
                    return true;
                }
            }
            return false;
        }
        for (String key : rowKeys) {
            Row r = rows.get(key);
            if (r != null && r.afterSeq() < seq) {
                return true;
            }
        }
        return false;
    }

    /** Parks the row after {@code afterSeq} (the lower of two parks stands); false when it parked the row's table instead. */
    boolean parkRow(String key, String table, long afterSeq) {
        if (!rows.containsKey(key) && rows.size() >= MAX_ROWS) {
            parkTable(table, afterSeq);
            return false;
        }
        rows.merge(key, new Row(table, afterSeq), (a, b) -> a.afterSeq() <= b.afterSeq() ? a : b);
        return true;
    }

    void parkTable(String table, long afterSeq) {
        tables.merge(table, afterSeq, Math::min);
    }

    /** The sequence number after which the row's events are in the store; null when it is not parked. */
    Long rowAfter(String key) {
        Row r = rows.get(key);
        return r == null ? null : r.afterSeq();
    }

    /** The same for a table. */
    Long tableAfter(String table) {
        return tables.get(table);
    }

    /**
     * Lifts every park at once: the parks a drained one led to are lifted with it, and the lane reads
     * again from {@link #takeLifted}, also after {@code alsoAfter} (where events held back in memory
     * were let go; {@link Long#MAX_VALUE} when none was).
     */
    void liftAll(long alsoAfter) {
        long lowest = alsoAfter;
        for (Row r : rows.values()) {
            lowest = Math.min(lowest, r.afterSeq());
        }
        for (long t : tables.values()) {
            lowest = Math.min(lowest, t);
        }
        if (lowest != Long.MAX_VALUE) {
            liftedAfter = liftedAfter < 0 ? lowest : Math.min(liftedAfter, lowest);
        }
        rows.clear();
        tables.clear();
    }

    /** The sequence number to read again after (what lifted parks left in the store lies beyond it); -1 when nothing was lifted since the last call. */
    long takeLifted() {
        long after = liftedAfter;
        liftedAfter = -1;
        return after;
    }
}
