package dev.streamhook.capture;

import dev.streamhook.capture.pgoutput.Begin;
import dev.streamhook.capture.pgoutput.ColumnValue;
import dev.streamhook.capture.pgoutput.Commit;
import dev.streamhook.capture.pgoutput.Delete;
import dev.streamhook.capture.pgoutput.Insert;
import dev.streamhook.capture.pgoutput.PgOutputMessage;
import dev.streamhook.capture.pgoutput.Relation;
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
 * the session, as pgoutput sends each one once per session before its first change.
 */
final class ChangeAssembler {

    /** The end of a committed transaction: its events not yet drained (possibly none) and the LSN to confirm once stored. */
    record Transaction(Lsn endLsn, List<EncodedEvent> events) {
    }

    private final String sourceId;
    private final String database;
    private final IntFunction<Set<String>> primaryKey;
    private final Map<Integer, Relation> relations = new HashMap<>();
    private Begin begin;
    private int position;
    private final List<EncodedEvent> events = new ArrayList<>();
    private long bufferedBytes;

    /** {@code primaryKey} gives a table's primary-key column names by relation oid (empty: none). */
    ChangeAssembler(String sourceId, String database, IntFunction<Set<String>> primaryKey) {
        this.sourceId = sourceId;
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

    /** Feeds one message; returns the transaction when the message was its Commit, else null. */
    Transaction accept(PgOutputMessage message) {
        switch (message) {
            case Begin b -> {
                begin = b;
                position = 0;
                events.clear();
                bufferedBytes = 0;
            }
            case Relation r -> relations.put(r.oid(), r);
            case Insert i -> add(i.relationOid(), Operation.INSERT, null, false, i.newTuple());
            case Update u -> add(u.relationOid(), Operation.UPDATE, u.oldTuple(), u.oldIsKeyOnly(), u.newTuple());
            case Delete d -> add(d.relationOid(), Operation.DELETE, d.oldTuple(), d.oldIsKeyOnly(), null);
            case Commit c -> {
                Transaction done = new Transaction(c.endLsn(), List.copyOf(events));
                begin = null;
                events.clear();
                bufferedBytes = 0;
                return done;
            }
            default -> {
                // Origin, Type, Truncate and logical messages carry no row change we deliver
            }
        }
        return null;
    }

    private void add(int relationOid, Operation op, TupleData oldTuple, boolean oldIsKeyOnly, TupleData newTuple) {
        if (begin == null) {
            throw new IllegalStateException("a row change arrived outside a transaction");
        }
        Relation rel = relations.get(relationOid);
        if (rel == null) {
            throw new IllegalStateException("a row change names relation " + relationOid + " before its Relation message");
        }
        List<String> unchanged = new ArrayList<>();
        JsonValue before = oldTuple == null ? JsonValue.NULL : row(rel, oldTuple, null, oldIsKeyOnly, null);
        JsonValue after = newTuple == null ? JsonValue.NULL
                : row(rel, newTuple, oldIsKeyOnly ? null : oldTuple, false, unchanged);
        TupleData keySource = newTuple != null ? newTuple : oldTuple;
        int position = this.position++;
        Lsn commitLsn = begin.finalLsn();
        Instant commitTime = begin.commitTime();
        EncodedEvent encoded = EncodedEvent.of(new ChangeEvent(EventId.of(sourceId, commitLsn, position), sourceId, commitLsn, position,
                commitTime, database, rel.namespace(), rel.name(), op, before, after, unchanged,
                rowKey(rel, primaryKey.apply(relationOid), keySource)));
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
     * Table plus primary-key values. Without a primary key, the replica identity index stands in
     * (unless it is FULL, where every column is flagged); a table with neither orders all its rows
     * as one.
     */
    private static String rowKey(Relation rel, Set<String> primaryKey, TupleData tuple) {
        boolean usePrimaryKey = !primaryKey.isEmpty();
        boolean useIdentity = !usePrimaryKey && rel.replicaIdentity() != 'f';
        List<JsonValue> key = new ArrayList<>();
        List<Relation.Column> columns = rel.columns();
        for (int i = 0; i < columns.size(); i++) {
            Relation.Column col = columns.get(i);
            boolean keyColumn = usePrimaryKey ? primaryKey.contains(col.name()) : useIdentity && col.partOfKey();
            if (keyColumn && tuple.values().get(i) instanceof ColumnValue.Text t) {
                key.add(JsonValue.of(t.value()));
            }
        }
        return rel.namespace() + "." + rel.name() + (key.isEmpty() ? "" : JsJson.stringify(new JsonValue.Arr(key)));
    }
}
