package dev.streamhook.store;

import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The durable log of captured events. {@link #append} is the one place where a transaction of the
 * user's database becomes ours: its events, one pending delivery per (event, destination), and the
 * source's checkpoint are written in one store transaction (shared with whatever else was queued:
 * consecutive transactions are stored in one group commit). Capture confirms the LSN to PostgreSQL
 * only once the returned future completes.
 *
 * <p>Idempotent: an event id already stored (PostgreSQL resent the transaction after a crash) is
 * skipped with its deliveries, so a change is stored and delivered once.
 *
 * <p>Metered: the free plan ({@link Usage}) decides in the same transaction which new events go
 * out now; the deliveries of the others are inserted {@code HELD}, to be released in order later.
 *
 * <p>Thread-safety: any thread; appends of one source must be submitted in stream order (the
 * writer keeps submission order).
 */
public final class EventLog {

    private static final String INSERT_EVENT = "INSERT INTO events (id, source_id, commit_lsn, position, schema_name, table_name, "
            + "operation, row_key, old_row_key, committed_at, body, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING";
    /**
     * One statement fans a new event out to every destination its source has at that commit; a
     * destination whose {@code operations} leave the event's operation out gets it as SKIPPED.
     */
    private static final String INSERT_DELIVERIES = "INSERT INTO deliveries (event_seq, destination_id, row_key, status, attempts, next_attempt_at) "
            + "SELECT e.seq, t.id, e.row_key, CASE WHEN t.operations IS NULL OR (',' || t.operations || ',') LIKE ('%,' || e.operation || ',%') "
            + "THEN ? ELSE 'SKIPPED' END, 0, ? FROM events e JOIN destinations t ON t.source_id = e.source_id WHERE e.id = ? "
            + "ON CONFLICT DO NOTHING"; // idempotent too when a driver cannot say which events were new (PgJDBC's reWriteBatchedInserts)

    private final Database db;
    private final Usage usage;

    public EventLog(Database db, Usage usage) {
        this.db = db;
        this.usage = usage;
    }

    /**
     * Queues the events of one committed transaction, or one chunk of a large one, for the next
     * group commit; the future gives how many were new. {@code endLsn} is the transaction's end,
     * given with its last chunk, and becomes the source's checkpoint; null for an earlier chunk.
     * An empty list writes nothing: the slot's confirmed position is the truth, the stored
     * checkpoint only informs.
     */
    public CompletableFuture<Integer> append(String sourceId, Lsn endLsn, List<EncodedEvent> events) {
        return append(sourceId, endLsn, events, () -> false);
    }

    /**
     * As above, for a stream of appends where one may not be stored after an earlier one failed:
     * when {@code abandoned} says so at the moment the store runs this append, it fails without
     * writing. Capture sets it when one of its appends failed, so no later transaction is stored
     * before the failed one is sent again (event order in the log is commit order).
     */
    public CompletableFuture<Integer> append(String sourceId, Lsn endLsn, List<EncodedEvent> events, BooleanSupplier abandoned) {
        return append(sourceId, endLsn, events, abandoned, null);
    }

    /**
     * As above, and runs {@code alongside} (when not null) in the same store transaction, even when
     * {@code events} is empty: a snapshot chunk's progress is stored with its events, or neither is.
     */
    public CompletableFuture<Integer> append(String sourceId, Lsn endLsn, List<EncodedEvent> events, BooleanSupplier abandoned,
                                             Database.Work<?> alongside) {
        if (events.isEmpty() && alongside == null) {
            return CompletableFuture.completedFuture(0);
        }
        long now = System.currentTimeMillis();
        return db.submit(c -> {
            if (abandoned.getAsBoolean()) {
                throw new StoreException("an earlier transaction of this replication session was not stored");
            }
            int added = events.isEmpty() ? 0 : write(c, usage, sourceId, endLsn, events, now);
            if (alongside != null) {
                alongside.run(c);
            }
            return added;
        }).thenApply(added -> {
            if (added > 0) {
                db.signals().eventsAppended(sourceId);
            }
            return added;
        });
    }

    private static int write(Connection c, Usage usage, String sourceId, Lsn endLsn, List<EncodedEvent> events, long now)
            throws SQLException {
        // metered before the events are numbered, so one account's appends are numbered in the order they were metered
        UsageMeter.Admission admission = usage.meter().admit(c, sourceId, events.size(), usage.currentPeriod());
        int[] inserted;
        try (PreparedStatement ins = c.prepareStatement(INSERT_EVENT)) {
            for (EncodedEvent e : events) {
                ins.setString(1, e.id().value());
                ins.setString(2, e.sourceId());
                ins.setLong(3, e.commitLsn().value());
                ins.setInt(4, e.position());
                ins.setString(5, e.schema());
                ins.setString(6, e.table());
                ins.setString(7, e.operation().name());
                ins.setString(8, e.rowKey());
                ins.setString(9, e.oldRowKey());
                ins.setLong(10, e.commitTime().toEpochMilli());
                ins.setBytes(11, e.body());
                ins.setLong(12, now);
                ins.addBatch();
            }
            inserted = ins.executeBatch();
        }
        List<EncodedEvent> fresh = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            if (inserted[i] != 0) { // 0: stored before, PostgreSQL sent the transaction again
                fresh.add(events.get(i));
            }
        }
        int added = fresh.size();
        int admitted = usage.meter().settle(c, admission, events.size(), added, i -> fresh.get(i).id().value());
        long lastCommit = 0;
        if (added > 0) {
            try (PreparedStatement fanOut = c.prepareStatement(INSERT_DELIVERIES)) {
                for (int i = 0; i < added; i++) {
                    fanOut.setString(1, i < admitted ? "PENDING" : "HELD");
                    fanOut.setLong(2, now);
                    fanOut.setString(3, fresh.get(i).id().value());
                    fanOut.addBatch();
                }
                fanOut.executeBatch();
            }
            lastCommit = fresh.get(added - 1).commitTime().toEpochMilli();
            Stats.countEvents(c, sourceId, added, now);
        }
        try (PreparedStatement up = c.prepareStatement("UPDATE sources SET checkpoint_lsn = COALESCE(?, checkpoint_lsn), "
                + "events_captured = events_captured + ?, last_event_at = CASE WHEN ? > 0 THEN ? ELSE last_event_at END WHERE id = ?")) {
            if (endLsn == null) {
                up.setNull(1, java.sql.Types.BIGINT);
            } else {
                up.setLong(1, endLsn.value());
            }
            up.setInt(2, added);
            up.setLong(3, lastCommit);
            up.setLong(4, lastCommit);
            up.setString(5, sourceId);
            up.executeUpdate();
        }
        return added;
    }
}
