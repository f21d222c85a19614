package dev.streamhook.store;

import dev.streamhook.event.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads of the event log for the API, always scoped to one account in the SQL itself (a join on
 * the source's account), so no other account's row is ever read. Bodies come back as the stored
 * bytes, exactly as they were signed and sent. Thread-safe: every call is its own read.
 */
public final class EventQueries {

    public record EventRow(long seq, String id, String sourceId, String schema, String table, String operation,
                           long committedAt, Lsn commitLsn, byte[] body, long createdAt) {
    }

    public record AttemptRow(int attempt, long startedAt, long durationMs, Integer statusCode, String error, String responseBody,
                             String errorKind) {
    }

    public record DeliveryRow(String destinationId, String url, DeliveryQueue.Status status, int attempts,
                              long nextAttemptAt, Long lastAttemptAt, List<AttemptRow> attemptLog) {
    }

    /**
     * Filters of {@code GET /v1/events}; null means any. {@code table} is {@code name} or
     * {@code schema.name}; {@code destinationId} and {@code deliveryStatus} match events with such a
     * delivery (both given: that destination's delivery in that status). Times are epoch millis,
     * {@code after} exclusive and {@code before} exclusive. {@code beforeSeq} is the page cursor.
     */
    public record Filter(String sourceId, String destinationId, String table, String operation, DeliveryQueue.Status deliveryStatus,
                         Long createdAfter, Long createdBefore, Long committedAfter, Long committedBefore, Long beforeSeq, int limit) {
    }

    private static final String EVENT_COLUMNS = "e.seq, e.id, e.source_id, e.schema_name, e.table_name, e.operation, "
            + "e.committed_at, e.commit_lsn, e.body, e.created_at";
    private final Database db;

    public EventQueries(Database db) {
        this.db = db;
    }

    /** Newest first; returns up to {@code limit + 1} rows so the caller can tell whether more follow. */
    public List<EventRow> list(String accountId, Filter f) {
        StringBuilder sql = new StringBuilder("SELECT " + EVENT_COLUMNS + " FROM events e JOIN sources s ON s.id = e.source_id WHERE s.account_id = ?");
        List<Object> params = new ArrayList<>(List.of(accountId));
        if (f.sourceId() != null) {
            sql.append(" AND e.source_id = ?");
            params.add(f.sourceId());
        }
        if (f.table() != null) {
            int dot = f.table().indexOf('.');
            if (dot > 0) {
                sql.append(" AND e.schema_name = ? AND e.table_name = ?");
                params.add(f.table().substring(0, dot));
                params.add(f.table().substring(dot + 1));
            } else {
                sql.append(" AND e.table_name = ?");
                params.add(f.table());
            }
        }
        if (f.destinationId() != null || f.deliveryStatus() != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM deliveries d WHERE d.event_seq = e.seq");
            if (f.destinationId() != null) {
                sql.append(" AND d.destination_id = ?");
                params.add(f.destinationId());
            }
            if (f.deliveryStatus() != null) {
                sql.append(" AND d.status = ?");
                params.add(f.deliveryStatus().name());
            }
            sql.append(")");
        }
        range(sql, params, "e.created_at", f.createdAfter(), f.createdBefore());
        range(sql, params, "e.committed_at", f.committedAfter(), f.committedBefore());
        if (f.operation() != null) {
            sql.append(" AND e.operation = ?");
            params.add(f.operation());
        }
        if (f.beforeSeq() != null) {
            sql.append(" AND e.seq < ?");
            params.add(f.beforeSeq());
        }
        sql.append(" ORDER BY e.seq DESC LIMIT ?");
        params.add(f.limit() + 1);
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < params.size(); i++) {
                    q.setObject(i + 1, params.get(i));
                }
                return readEvents(q.executeQuery());
            }
        });
    }

    private static void range(StringBuilder sql, List<Object> params, String column, Long after, Long before) {
        if (after != null) {
            sql.append(" AND ").append(column).append(" > ?");
            params.add(after);
        }
        if (before != null) {
            sql.append(" AND ").append(column).append(" < ?");
            params.add(before);
        }
    }

    /**
     * For each of the given events (of one page), how many of its deliveries are in each status, so a
     * list shows which events are held, pending, failed or done without one read per event.
     */
    public Map<Long, Map<DeliveryQueue.Status, Integer>> deliveryCounts(List<Long> eventSeqs) {
        Map<Long, Map<DeliveryQueue.Status, Integer>> out = new HashMap<>();
        if (eventSeqs.isEmpty()) {
            return out;
        }
        String marks = String.join(",", java.util.Collections.nCopies(eventSeqs.size(), "?"));
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT event_seq, status, COUNT(*) FROM deliveries WHERE event_seq IN ("
                    + marks + ") GROUP BY event_seq, status")) {
                for (int i = 0; i < eventSeqs.size(); i++) {
                    q.setLong(i + 1, eventSeqs.get(i));
                }
                ResultSet rs = q.executeQuery();
                while (rs.next()) {
                    out.computeIfAbsent(rs.getLong(1), k -> new EnumMap<>(DeliveryQueue.Status.class))
                            .put(DeliveryQueue.Status.valueOf(rs.getString(2)), rs.getInt(3));
                }
                return out;
            }
        });
    }

    public Optional<EventRow> find(String accountId, String eventId) {
        return db.read(c -> findEvent(c, accountId, eventId));
    }

    public List<DeliveryRow> deliveries(String eventId) {
        return db.read(c -> {
            List<DeliveryRow> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("""
                    SELECT d.id, d.destination_id, t.url, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at,
                           d.succeeded_status_code, d.succeeded_duration_ms, d.succeeded_response
                    FROM deliveries d JOIN destinations t ON t.id = d.destination_id JOIN events e ON e.seq = d.event_seq
                    WHERE e.id = ? ORDER BY t.created_at, t.id""")) {
                q.setString(1, eventId);
                ResultSet rs = q.executeQuery();
                while (rs.next()) {
                    long last = rs.getLong(7);
                    Long lastAttemptAt = rs.wasNull() ? null : last;
                    List<AttemptRow> attempts = attempts(c, rs.getLong(1));
                    int succeededStatus = rs.getInt(8);
                    if (!rs.wasNull()) { // the attempt that succeeded is kept on the delivery (V16), the last of its attempts
                        attempts.add(new AttemptRow(rs.getInt(5), last, rs.getLong(9), succeededStatus, null, rs.getString(10), null));
                    }
                    out.add(new DeliveryRow(rs.getString(2), rs.getString(3), DeliveryQueue.Status.valueOf(rs.getString(4)),
                            rs.getInt(5), rs.getLong(6), lastAttemptAt, attempts));
                }
            }
            return out;
        });
    }

    private static Optional<EventRow> findEvent(Connection c, String accountId, String eventId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT " + EVENT_COLUMNS
                + " FROM events e JOIN sources s ON s.id = e.source_id WHERE e.id = ? AND s.account_id = ?")) {
            q.setString(1, eventId);
            q.setString(2, accountId);
            return readEvents(q.executeQuery()).stream().findFirst();
        }
    }

    private static List<AttemptRow> attempts(Connection c, long deliveryId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT attempt, started_at, duration_ms, status_code, error, response_body, error_kind "
                + "FROM delivery_attempts WHERE delivery_id = ? ORDER BY attempt")) {
            q.setLong(1, deliveryId);
            ResultSet rs = q.executeQuery();
            List<AttemptRow> out = new ArrayList<>();
            while (rs.next()) {
                int code = rs.getInt(4);
                Integer statusCode = rs.wasNull() ? null : code;
                out.add(new AttemptRow(rs.getInt(1), rs.getLong(2), rs.getLong(3), statusCode, rs.getString(5), rs.getString(6),
                        rs.getString(7)));
            }
            return out;
        }
    }

    private static List<EventRow> readEvents(ResultSet rs) throws SQLException {
        List<EventRow> out = new ArrayList<>();
        while (rs.next()) {
            out.add(new EventRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getString(6), rs.getLong(7), new Lsn(rs.getLong(8)), rs.getBytes(9), rs.getLong(10)));
        }
        return out;
    }
}
