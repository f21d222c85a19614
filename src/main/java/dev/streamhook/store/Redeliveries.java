package dev.streamhook.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a user does by hand to deliveries that are done: retry or skip an event's failed deliveries,
 * and replay a destination's failed deliveries or a time range of its source's events. Each change
 * is one store transaction; the lanes of the destinations it touched are told to read their
 * deliveries again, so what was made due goes out in event order with the live ones.
 *
 * <p>The rule that keeps per-row order honest: an older event is not sent again after a newer
 * event of the same row (same {@code row_key}) was delivered to the same destination, unless the
 * caller forces it (a retry or a replay of failed deliveries) or asks for exactly that (a replay of
 * a time range). The body and event id stay those of the original event.
 *
 * <p>Thread-safety: any thread.
 */
public final class Redeliveries {

    /** A failed delivery a retry left alone: a newer event of its row, {@code newerEventId}, was delivered there already. */
    public record Stale(String destinationId, String newerEventId) {
    }

    /** What a retry did: how many failed deliveries it made due, or, refusing, why (then none was changed). */
    public record Retried(int retried, List<Stale> stale) {
    }

    /** What a replay did: deliveries made due (re-opened, or created for events the destination had none of), and failed ones left alone. */
    public record Replayed(int queued, int leftFailed) {
    }

    private record Failed(long id, String destinationId, long seq, String rowKey) {
    }

    /** A newer delivered event of the delivery's row at the same destination, if any; uses the lane index. */
    private static final String NEWER_DELIVERED = "SELECT e.id FROM deliveries n JOIN events e ON e.seq = n.event_seq "
            + "WHERE n.destination_id = ? AND n.status = 'SUCCEEDED' AND n.event_seq > ? AND n.row_key = ? ORDER BY n.event_seq LIMIT 1";

    private final Database db;

    public Redeliveries(Database db) {
        this.db = db;
    }

    /**
     * Makes the event's failed deliveries due now (only the one to {@code destinationId}, when not
     * null). Unless {@code force}, refuses, changing nothing, when a newer event of the row was
     * delivered to one of those destinations already: the retry would deliver older state last.
     */
    public Retried retryFailed(String eventId, String destinationId, boolean force, long now) {
        List<Failed> failed = new ArrayList<>();
        Retried outcome = db.transaction(c -> {
            failed.clear(); // a transaction may run again
            failed.addAll(failed(c, eventId, destinationId));
            if (!force) {
                List<Stale> stale = new ArrayList<>();
                for (Failed f : failed) {
                    newerDelivered(c, f.destinationId(), f.seq(), f.rowKey()).ifPresent(newer -> stale.add(new Stale(f.destinationId(), newer)));
                }
                if (!stale.isEmpty()) {
                    return new Retried(0, stale);
                }
            }
            try (PreparedStatement up = c.prepareStatement("UPDATE deliveries SET status = 'PENDING', next_attempt_at = ? WHERE id = ? AND status = 'FAILED'")) {
                for (Failed f : failed) {
                    up.setLong(1, now);
                    up.setLong(2, f.id());
                    up.addBatch();
                }
                if (!failed.isEmpty()) {
                    up.executeBatch();
                }
            }
            return new Retried(failed.size(), List.of());
        });
        if (outcome.retried() > 0) {
            failed.stream().map(Failed::destinationId).distinct().forEach(db.signals()::deliveriesReopened);
        }
        return outcome;
    }

    /**
     * Marks the event's failed deliveries (only the one to {@code destinationId}, when not null)
     * {@code SKIPPED}: never sent, and no longer holding their rows back. Returns how many.
     */
    public int skipFailed(String eventId, String destinationId) {
        List<String> destinations = db.read(c -> failed(c, eventId, destinationId)).stream().map(Failed::destinationId).distinct().toList();
        if (destinations.isEmpty()) {
            return 0;
        }
        int skipped = db.transaction(c -> {
            try (PreparedStatement up = c.prepareStatement("UPDATE deliveries SET status = 'SKIPPED' WHERE status = 'FAILED' "
                    + "AND event_seq = (SELECT seq FROM events WHERE id = ?) AND (CAST(? AS TEXT) IS NULL OR destination_id = ?)")) {
                up.setString(1, eventId);
                up.setString(2, destinationId);
                up.setString(3, destinationId);
                return up.executeUpdate();
            }
        });
        destinations.forEach(db.signals()::deliveriesReopened);
        return skipped;
    }

    /**
     * Makes every failed delivery of the destination due now. Unless {@code force}, one whose row
     * had a newer event delivered there already stays failed (counted in {@link Replayed#leftFailed()}).
     */
    public Replayed replayFailed(String destinationId, boolean force, long now) {
        Replayed outcome = db.transaction(c -> {
            String stale = "EXISTS (SELECT 1 FROM deliveries n WHERE n.destination_id = deliveries.destination_id AND n.status = 'SUCCEEDED' "
                    + "AND n.event_seq > deliveries.event_seq AND n.row_key = deliveries.row_key)";
            int queued;
            try (PreparedStatement up = c.prepareStatement("UPDATE deliveries SET status = 'PENDING', next_attempt_at = ? "
                    + "WHERE destination_id = ? AND status = 'FAILED'" + (force ? "" : " AND NOT " + stale))) {
                up.setLong(1, now);
                up.setString(2, destinationId);
                queued = up.executeUpdate();
            }
            return new Replayed(queued, countFailed(c, destinationId));
        });
        if (outcome.queued() > 0) {
            db.signals().deliveriesReopened(destinationId);
        }
        return outcome;
    }

    /**
     * Makes due now every event of the destination's source committed in {@code [from, to)} whose
     * operation the destination takes ({@code operations}: null for all, else a comma-separated
     * list as stored): its delivery is re-opened whatever it was (delivered, failed, skipped), or
     * created when the destination had none (it was created after the event). Deliveries already
     * pending or held are left as they are.
     */
    public Replayed replayRange(String destinationId, String sourceId, String operations, long from, long to, long now) {
        String inRange = "SELECT seq FROM events WHERE source_id = ? AND committed_at >= ? AND committed_at < ?"
                + (operations == null ? "" : " AND (',' || ? || ',') LIKE ('%,' || operation || ',%')");
        Replayed outcome = db.transaction(c -> {
            // a succeeded attempt kept on its delivery (V16) joins the others first: the next one's outcome will be there
            try (PreparedStatement keep = c.prepareStatement("INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_ms, "
                    + "status_code, response_body) SELECT id, attempts, last_attempt_at, succeeded_duration_ms, succeeded_status_code, "
                    + "succeeded_response FROM deliveries WHERE destination_id = ? AND status = 'SUCCEEDED' "
                    + "AND succeeded_status_code IS NOT NULL AND event_seq IN (" + inRange + ")")) {
                keep.setString(1, destinationId);
                bindRange(keep, 2, sourceId, from, to, operations);
                keep.executeUpdate();
            }
            int queued;
            try (PreparedStatement up = c.prepareStatement("UPDATE deliveries SET status = 'PENDING', next_attempt_at = ?, "
                    + "succeeded_status_code = NULL, succeeded_duration_ms = NULL, succeeded_response = NULL "
                    + "WHERE destination_id = ? AND status IN ('SUCCEEDED', 'FAILED', 'SKIPPED') AND event_seq IN (" + inRange + ")")) {
                up.setLong(1, now);
                up.setString(2, destinationId);
                bindRange(up, 3, sourceId, from, to, operations);
                queued = up.executeUpdate();
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO deliveries (event_seq, destination_id, row_key, status, attempts, "
                    + "next_attempt_at) SELECT e.seq, ?, e.row_key, 'PENDING', 0, ? FROM events e WHERE e.seq IN (" + inRange + ") "
                    + "AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_seq = e.seq AND d.destination_id = ?)")) {
                ins.setString(1, destinationId);
                ins.setLong(2, now);
                int next = bindRange(ins, 3, sourceId, from, to, operations);
                ins.setString(next, destinationId);
                queued += ins.executeUpdate();
            }
            return new Replayed(queued, 0);
        });
        if (outcome.queued() > 0) {
            db.signals().deliveriesReopened(destinationId);
        }
        return outcome;
    }

    private static int bindRange(PreparedStatement st, int at, String sourceId, long from, long to, String operations) throws SQLException {
        st.setString(at++, sourceId);
        st.setLong(at++, from);
        st.setLong(at++, to);
        if (operations != null) {
            st.setString(at++, operations);
        }
        return at;
    }

    private static java.util.Optional<String> newerDelivered(Connection c, String destinationId, long seq, String rowKey) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(NEWER_DELIVERED)) {
            q.setString(1, destinationId);
            q.setLong(2, seq);
            q.setString(3, rowKey);
            ResultSet rs = q.executeQuery();
            return rs.next() ? java.util.Optional.of(rs.getString(1)) : java.util.Optional.empty();
        }
    }

    private static int countFailed(Connection c, String destinationId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT count(*) FROM deliveries WHERE destination_id = ? AND status = 'FAILED'")) {
            q.setString(1, destinationId);
            ResultSet rs = q.executeQuery();
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The event's failed deliveries, all of them or only the one to {@code destinationId}. */
    private static List<Failed> failed(Connection c, String eventId, String destinationId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT d.id, d.destination_id, d.event_seq, d.row_key FROM deliveries d "
                + "JOIN events e ON e.seq = d.event_seq WHERE e.id = ? AND d.status = 'FAILED' AND (CAST(? AS TEXT) IS NULL OR d.destination_id = ?)")) {
            q.setString(1, eventId);
            q.setString(2, destinationId);
            q.setString(3, destinationId);
            ResultSet rs = q.executeQuery();
            List<Failed> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Failed(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4)));
            }
            return out;
        }
    }
}
