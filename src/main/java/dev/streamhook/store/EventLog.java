package dev.streamhook.store;

import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.WebhookPayload;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable log of captured events. {@link #append} is the one place where a transaction of the
 * user's database becomes ours: its events, one pending delivery per (event, destination), and the
 * source's checkpoint are written in a single store transaction. Capture confirms the LSN to
 * PostgreSQL only after it returns.
 *
 * <p>Idempotent: an event id already stored (PostgreSQL resent the transaction after a crash) is
 * skipped with its deliveries, so a change is stored and delivered once.
 */
public final class EventLog {

    private final Database db;

    public EventLog(Database db) {
        this.db = db;
    }

    /**
     * Appends events of one committed transaction; returns how many were new. {@code endLsn} is the
     * transaction's end, given with its last chunk, and becomes the source's checkpoint; null for
     * an earlier chunk of a large transaction. An empty list writes nothing, not even the
     * checkpoint: the stored checkpoint is informational, the slot's confirmed position is the truth.
     */
    public int append(String sourceId, Lsn endLsn, List<ChangeEvent> events) {
        if (events.isEmpty()) {
            return 0; // an empty transaction: the slot itself keeps the position, no store write needed
        }
        List<byte[]> bodies = events.stream().map(WebhookPayload::encode).toList();
        long now = System.currentTimeMillis();
        return db.transaction(c -> {
            List<String> destinations = destinationIds(c, sourceId);
            int added = 0;
            long lastCommit = 0;
            for (int i = 0; i < events.size(); i++) {
                ChangeEvent e = events.get(i);
                Long seq = insertEvent(c, e, bodies.get(i), now);
                if (seq == null) {
                    continue;
                }
                added++;
                lastCommit = e.commitTime().toEpochMilli();
                insertDeliveries(c, seq, e.rowKey(), destinations, now);
            }
            try (PreparedStatement up = c.prepareStatement("UPDATE sources SET checkpoint_lsn = COALESCE(?, checkpoint_lsn), "
                    + "events_captured = events_captured + ?, last_event_at = CASE WHEN ? > 0 THEN ? ELSE last_event_at END WHERE id = ?")) {
                up.setObject(1, endLsn == null ? null : endLsn.value());
                up.setInt(2, added);
                up.setLong(3, lastCommit);
                up.setLong(4, lastCommit);
                up.setString(5, sourceId);
                up.executeUpdate();
            }
            return added;
        });
    }

    private static List<String> destinationIds(Connection c, String sourceId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT id FROM destinations WHERE source_id = ? ORDER BY created_at, id")) {
            q.setString(1, sourceId);
            ResultSet rs = q.executeQuery();
            List<String> ids = new ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        }
    }

    /** The new event's seq, or null when it is already stored. */
    private static Long insertEvent(Connection c, ChangeEvent e, byte[] body, long now) throws SQLException {
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO events (id, source_id, commit_lsn, position, schema_name, table_name, "
                + "operation, row_key, committed_at, body, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                new String[] {"seq"})) {
            ins.setString(1, e.id().value());
            ins.setString(2, e.sourceId());
            ins.setLong(3, e.commitLsn().value());
            ins.setInt(4, e.position());
            ins.setString(5, e.schema());
            ins.setString(6, e.table());
            ins.setString(7, e.operation().name());
            ins.setString(8, e.rowKey());
            ins.setLong(9, e.commitTime().toEpochMilli());
            ins.setBytes(10, body);
            ins.setLong(11, now);
            if (ins.executeUpdate() == 0) {
                return null;
            }
            ResultSet keys = ins.getGeneratedKeys();
            keys.next();
            return keys.getLong(1);
        }
    }

    private static void insertDeliveries(Connection c, long seq, String rowKey, List<String> destinations, long now) throws SQLException {
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO deliveries (event_seq, destination_id, row_key, status, attempts, "
                + "next_attempt_at) VALUES (?, ?, ?, 'PENDING', 0, ?)")) {
            for (String destination : destinations) {
                ins.setLong(1, seq);
                ins.setString(2, destination);
                ins.setString(3, rowKey);
                ins.setLong(4, now);
                ins.addBatch();
            }
            ins.executeBatch();
        }
    }
}
