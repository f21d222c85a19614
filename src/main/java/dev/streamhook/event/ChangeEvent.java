package dev.streamhook.event;

import dev.streamhook.event.json.JsonValue;
import java.time.Instant;
import java.util.List;

/**
 * One committed change, as capture hands it to the store. {@code before}/{@code after} are JSON
 * objects of column values, or {@link JsonValue#NULL} where the payload says null (both for a
 * TRUNCATE). {@code xid} is the source transaction's id; {@code position} the event's 0-based
 * place in that transaction. {@code rowKey} identifies the row (table and key) for per-row
 * delivery order; {@code oldRowKey} is the row's key before an UPDATE that changed it, else null,
 * so that the update is ordered after the old key's events too. {@code unchangedColumns} names
 * TOASTed columns whose value PostgreSQL did not send. {@code truncate} is set on TRUNCATE events
 * only. {@code snapshot}: the row was read by a snapshot or backfill, not streamed (always an
 * INSERT; its xid and position are those of the high watermark that stored it).
 */
public record ChangeEvent(EventId id, String sourceId, Lsn commitLsn, long xid, int position, Instant commitTime,
                          String database, String schema, String table, Operation operation,
                          JsonValue before, JsonValue after, List<String> unchangedColumns, String rowKey, String oldRowKey,
                          TruncateOptions truncate, boolean snapshot) {
    public ChangeEvent {
        unchangedColumns = List.copyOf(unchangedColumns);
        if ((operation == Operation.TRUNCATE) != (truncate != null)) {
            throw new IllegalArgumentException("truncate options go with TRUNCATE events, and only with them");
        }
    }

    /** A row change of transaction {@code xid}, whose key did not change (or that has no old key). */
    public static ChangeEvent row(EventId id, String sourceId, Lsn commitLsn, long xid, int position, Instant commitTime,
                                  String database, String schema, String table, Operation operation,
                                  JsonValue before, JsonValue after, List<String> unchangedColumns, String rowKey) {
        return new ChangeEvent(id, sourceId, commitLsn, xid, position, commitTime, database, schema, table, operation,
                before, after, unchangedColumns, rowKey, null, null, false);
    }

    /** The options of the TRUNCATE statement, as pgoutput reports them. */
    public record TruncateOptions(boolean cascade, boolean restartIdentity) {
    }
}
