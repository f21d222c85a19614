package dev.streamhook.capture;

import dev.streamhook.capture.pgoutput.Begin;
import dev.streamhook.capture.pgoutput.ColumnValue;
import dev.streamhook.capture.pgoutput.Commit;
import dev.streamhook.capture.pgoutput.Delete;
import dev.streamhook.capture.pgoutput.Insert;
import dev.streamhook.capture.pgoutput.PgOutputMessage;
import dev.streamhook.capture.pgoutput.Relation;
import dev.streamhook.capture.pgoutput.Truncate;
import dev.streamhook.capture.pgoutput.TupleData;
import dev.streamhook.capture.pgoutput.Update;
import dev.streamhook.capture.types.PgTypes;
import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.json.JsJson;
import dev.streamhook.event.json.JsonValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Turns the pgoutput message stream of one source into whole transactions of {@link ChangeEvent}s.
 * Not thread-safe: one per replication session, fed in stream order. Relations are remembered for
 * the session, as pgoutput sends each one once per session before its first change, and again
 * before the first change after the table's shape changed (so an added, dropped, renamed or
 * retyped column shows in the next event).
 *
 * <p>The row key is decided when the Relation message arrives, from what the stream says as of
 * that change: the columns the Relation flags as the replica identity (the primary key under
 * REPLICA IDENTITY DEFAULT, the index's columns under USING INDEX). Under FULL every column is
 * flagged, which would give each version of a row its own key, and under NOTHING none is; there
 * the table's primary key is read from the catalog at that moment instead. A table with no key
 * at all orders all its rows as one.
 */
final class ChangeAssembler {

    /** The end of a committed transaction: its events not yet drained (possibly none) and the LSN to confirm once stored. */
    record Transaction(Lsn endLsn, List<EncodedEvent> events) {
    }

    /** A relation as the stream last described it, with the columns that make its row key. */
    private record Table(Relation relation, boolean[] keyColumns) {
    }

    private final String sourceId;
    private final int eventTag;
    private final String database;
    private final IntFunction<Set<String>> primaryKey;
    private final Map<Integer, Table> tables = new HashMap<>();
    private Begin begin;
    private int position;
    private final List<EncodedEvent> events = new ArrayList<>();
    private long bufferedBytes;

    /**
     * {@code primaryKey} gives a table's primary-key column names by relation oid (empty: none); it
     * is asked only for tables with REPLICA IDENTITY FULL or NOTHING, when their Relation arrives.
     * {@code eventTag}: the source's, which its event ids start with.
     */
    ChangeAssembler(String sourceId, int eventTag, String database, IntFunction<Set<String>> primaryKey) {
        this.sourceId = sourceId;
        this.eventTag = eventTag;
        this.database = database;
        this.primaryKey = primaryKey;
    }

    boolean inTransaction() {
        return begin != null;
    }

    /** Events of the open transaction buffered so far. */
    int buffered() {
        return events.size();
    }

    /** Body bytes of the events buffered so far: what bounds capture's memory for a huge transaction. */
    long bufferedBytes() {
        return bufferedBytes;
    }

    /**
     * Hands over the buffered events of the open transaction, so that a huge transaction is stored
     * in chunks instead of held in memory. Safe because pgoutput (protocol 1) sends only committed
     * transactions, and their event ids do not depend on how they were chunked.
     */
    List<EncodedEvent> drain() {
        List<EncodedEvent> chunk = List.copyOf(events);
        events.clear();
        bufferedBytes = 0;
        return chunk;
    }

    /**
     * Feeds one message; returns the transaction when the message was its Commit, else null.
     * Messages that carry no change we deliver (Origin, Type, logical messages) are passed over.
     */
    Transaction accept(PgOutputMessage message) {
        switch (message) {
            case Begin b -> {
                begin = b;
                position = 0;
                events.clear();
                bufferedBytes = 0;
            }
            case Relation r -> tables.put(r.oid(), new Table(r, keyColumns(r)));
            case Insert i -> add(i.relationOid(), Operation.INSERT, null, false, i.newTuple());
            case Update u -> add(u.relationOid(), Operation.UPDATE, u.oldTuple(), u.oldIsKeyOnly(), u.newTuple());
            case Delete d -> add(d.relationOid(), Operation.DELETE, d.oldTuple(), d.oldIsKeyOnly(), null);
            case Truncate t -> truncate(t);
            case Commit c -> {
                Transaction done = new Transaction(c.endLsn(), List.copyOf(events));
                begin = null;
                events.clear();
                bufferedBytes = 0;
                return done;
            }
            default -> {
                // Origin, Type and logical messages carry no change we deliver
            }
        }
        return null;
    }

    private boolean[] keyColumns(Relation r) {
        List<Relation.Column> columns = r.columns();
        boolean[] key = new boolean[columns.size()];
        boolean flagsAreTheKey = r.replicaIdentity() == 'd' || r.replicaIdentity() == 'i';
        Set<String> primary = flagsAreTheKey ? Set.of() : primaryKey.apply(r.oid());
        for (int i = 0; i < key.length; i++) {
            key[i] = flagsAreTheKey ? columns.get(i).partOfKey() : primary.contains(columns.get(i).name());
        }
        return key;
    }

    private Table table(int relationOid) {
        if (begin == null) {
            throw new IllegalStateException("a change arrived outside a transaction");
        }
        Table table = tables.get(relationOid);
        if (table == null) {
            throw new IllegalStateException("a change names relation " + Integer.toUnsignedLong(relationOid) + " before its Relation message");
        }
        return table;
    }

    private void add(int relationOid, Operation op, TupleData oldTuple, boolean oldIsKeyOnly, TupleData newTuple) {
        Table table = table(relationOid);
        Relation rel = table.relation();
        List<String> unchanged = new ArrayList<>();
        JsonValue before = oldTuple == null ? JsonValue.NULL : row(rel, oldTuple, null, oldIsKeyOnly, null);
        JsonValue after = newTuple == null ? JsonValue.NULL
                : row(rel, newTuple, oldIsKeyOnly ? null : oldTuple, false, unchanged);
        String rowKey = newTuple != null ? rowKey(table, newTuple, oldTuple) : rowKey(table, oldTuple, null);
        String oldRowKey = null;
        if (newTuple != null && oldTuple != null) {
            String old = rowKey(table, oldTuple, null);
            oldRowKey = old.equals(rowKey) ? null : old; // the UPDATE moved the row to another key
        }
        emit(rel, op, before, after, unchanged, rowKey, oldRowKey, null);
    }

    /** One event per truncated table, keyed on the table alone (the sequencer orders it against all the table's rows). */
    private void truncate(Truncate t) {
        var options = new ChangeEvent.TruncateOptions(t.cascade(), t.restartIdentity());
        for (int oid : t.relationOids()) {
            Relation rel = table(oid).relation();
            emit(rel, Operation.TRUNCATE, JsonValue.NULL, JsonValue.NULL, List.of(), tableKey(rel), null, options);
        }
    }

    private void emit(Relation rel, Operation op, JsonValue before, JsonValue after, List<String> unchanged,
                      String rowKey, String oldRowKey, ChangeEvent.TruncateOptions truncate) {
        int position = this.position++;
        Lsn commitLsn = begin.finalLsn();
        EncodedEvent encoded = EncodedEvent.of(new ChangeEvent(EventId.of(eventTag, commitLsn, position), sourceId, commitLsn,
                begin.xid(), position, begin.commitTime(), database, rel.namespace(), rel.name(), op, before, after, unchanged,
                rowKey, oldRowKey, truncate, false));
        events.add(encoded);
        bufferedBytes += encoded.body().length;
    }

    /**
     * One tuple as a JSON object. A key-only tuple keeps just the key columns. An unchanged TOASTed
     * value is taken from the full old tuple when there is one, else left out and named in
     * {@code unchanged}, so no fake value is ever sent.
     */
    private static JsonValue row(Relation rel, TupleData tuple, TupleData fullOld, boolean keyOnly, List<String> unchanged) {
        var obj = JsonValue.objectBuilder();
        List<Relation.Column> columns = rel.columns();
        for (int i = 0; i < columns.size(); i++) {
            Relation.Column col = columns.get(i);
            if (keyOnly && !col.partOfKey()) {
                continue;
            }
            ColumnValue v = tuple.values().get(i);
            if (v instanceof ColumnValue.UnchangedToast) {
                ColumnValue old = fullOld == null ? null : fullOld.values().get(i);
                if (old == null || old instanceof ColumnValue.UnchangedToast) {
                    if (unchanged != null) {
                        unchanged.add(col.name());
                    }
                    continue;
                }
                v = old;
            }
            obj.put(col.name(), value(col, v));
        }
        return obj.build();
    }

    private static JsonValue value(Relation.Column col, ColumnValue v) {
        return switch (v) {
            case ColumnValue.Null n -> JsonValue.NULL;
            case ColumnValue.Text t -> PgTypes.toJson(col.typeOid(), t.value());
            case ColumnValue.Binary b -> JsonValue.of(Base64.getEncoder().encodeToString(b.value()));
            case ColumnValue.UnchangedToast u -> throw new IllegalStateException("resolved by the caller");
        };
    }

    /**
     * Table plus key values (see the class comment for which columns). A key value the new tuple
     * left out as an unchanged TOASTed value is taken from {@code old} when that has it.
     */
    private static String rowKey(Table table, TupleData tuple, TupleData old) {
        List<JsonValue> key = new ArrayList<>();
        boolean[] keyColumns = table.keyColumns();
        for (int i = 0; i < keyColumns.length; i++) {
            if (!keyColumns[i]) {
                continue;
            }
            ColumnValue v = tuple.values().get(i);
            if (v instanceof ColumnValue.UnchangedToast && old != null) {
                v = old.values().get(i);
            }
            if (v instanceof ColumnValue.Text t) {
                key.add(JsonValue.of(t.value()));
            }
        }
        return tableKey(table.relation()) + (key.isEmpty() ? "" : JsJson.stringify(new JsonValue.Arr(key)));
    }

    /** The key of the whole table: a keyless table's rows and a TRUNCATE share it. */
    private static String tableKey(Relation rel) {
        return rel.namespace() + "." + rel.name();
    }
}
