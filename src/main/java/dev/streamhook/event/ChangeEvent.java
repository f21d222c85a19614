package dev.streamhook.event;

import dev.streamhook.event.json.JsonValue;
import java.time.Instant;
import java.util.List;

/**
 * One committed row change, as capture hands it to the store. {@code before}/{@code after} are
 * JSON objects of column values, or {@link JsonValue#NULL} where the payload says null.
 * {@code rowKey} identifies the row (table and primary key) for per-row delivery order.
 * {@code unchangedColumns} names TOASTed columns whose value PostgreSQL did not send.
 * {@code snapshot}: the row was read by a snapshot or backfill, not streamed (always an INSERT).
 */
public record ChangeEvent(EventId id, String sourceId, Lsn commitLsn, int position, Instant commitTime,
                          String database, String schema, String table, Operation operation,
                          JsonValue before, JsonValue after, List<String> unchangedColumns, String rowKey,
                          boolean snapshot) {
    public ChangeEvent {
        unchangedColumns = List.copyOf(unchangedColumns);
    }

    /** A streamed change. */
    public ChangeEvent(EventId id, String sourceId, Lsn commitLsn, int position, Instant commitTime,
                       String database, String schema, String table, Operation operation,
                       JsonValue before, JsonValue after, List<String> unchangedColumns, String rowKey) {
        this(id, sourceId, commitLsn, position, commitTime, database, schema, table, operation, before, after, unchangedColumns,
                rowKey, false);
    }
}
