package dev.streamhook.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Deliveries waiting to be sent, and the record of every attempt. Retry state (attempt count,
 * next attempt time) lives here, not in memory, so a restart resumes where it stopped.
 *
 * <p>Order: {@link #claimDue} never hands out a delivery while an earlier event of the same row
 * (same destination and row key) is still pending or in flight, so each row's events reach a
 * destination in commit order while different rows go in parallel.
 */
public final class DeliveryQueue {

    public enum Status { PENDING, IN_FLIGHT, SUCCEEDED, FAILED }

    /** A claimed delivery with all that sending it needs. */
    public record Due(long deliveryId, String eventId, byte[] body, int attempts, String destinationId,
                      String url, String secret, Map<String, String> headers) {
    }

    /** What one attempt did: an HTTP status, or an error before any status arrived. */
    public record Attempt(long startedAt, long durationMs, Integer statusCode, String error, String responseBody) {
        public boolean succeeded() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    private final Database db;
    private final SecretBox secrets;
    private final long leaseMillis;

    /**
     * {@code lease} is how long a claimed delivery stays in flight before it may be claimed again:
     * longer than any attempt takes, so an attempt whose result could not be recorded is retried
     * instead of stuck.
     */
    public DeliveryQueue(Database db, SecretBox secrets, java.time.Duration lease) {
        this.db = db;
        this.secrets = secrets;
        this.leaseMillis = lease.toMillis();
    }

    /** At startup: an attempt cut short by a crash or stop is due again (the receiver dedups by event id). */
    public void releaseInFlight() {
        db.update("UPDATE deliveries SET status = 'PENDING' WHERE status = 'IN_FLIGHT'");
    }

    /**
     * Marks up to {@code limit} due deliveries in flight (leased until now + lease) and returns
     * them, oldest event first. Due means pending with its next attempt time reached, or in flight
     * with its lease run out.
     */
    public List<Due> claimDue(long now, int limit) {
        return db.transaction(c -> {
            List<Due> due = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("""
                    SELECT d.id, e.id, e.body, d.attempts, t.id, t.url, t.secret_enc, t.headers
                    FROM deliveries d
                    JOIN events e ON e.seq = d.event_seq
                    JOIN destinations t ON t.id = d.destination_id
                    WHERE ((d.status = 'PENDING' AND d.next_attempt_at <= ?) OR (d.status = 'IN_FLIGHT' AND d.lease_until < ?))
                      AND NOT EXISTS (SELECT 1 FROM deliveries p
                                      WHERE p.destination_id = d.destination_id AND p.row_key = d.row_key
                                        AND p.event_seq < d.event_seq AND p.status IN ('PENDING', 'IN_FLIGHT'))
                    ORDER BY d.event_seq
                    LIMIT ?""")) {
                q.setLong(1, now);
                q.setLong(2, now);
                q.setInt(3, limit);
                ResultSet rs = q.executeQuery();
                while (rs.next()) {
                    String secret = rs.getString(7);
                    due.add(new Due(rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getInt(4), rs.getString(5),
                            rs.getString(6), secret == null ? null : secrets.decrypt(secret), StoreJson.stringMap(rs.getString(8))));
                }
            }
            try (PreparedStatement up = c.prepareStatement("UPDATE deliveries SET status = 'IN_FLIGHT', lease_until = ? WHERE id = ?")) {
                for (Due d : due) {
                    up.setLong(1, now + leaseMillis);
                    up.setLong(2, d.deliveryId());
                    up.addBatch();
                }
                up.executeBatch();
            }
            return due;
        });
    }

    /**
     * Records one attempt and where the delivery goes next: SUCCEEDED, FAILED, or PENDING again at
     * {@code nextAttemptAt}.
     */
    public void record(long deliveryId, Attempt attempt, Status next, long nextAttemptAt) {
        db.transaction(c -> {
            try (PreparedStatement up = c.prepareStatement(
                    "UPDATE deliveries SET status = ?, attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ? WHERE id = ?")) {
                up.setString(1, next.name());
                up.setLong(2, attempt.startedAt());
                up.setLong(3, nextAttemptAt);
                up.setLong(4, deliveryId);
                if (up.executeUpdate() == 0) {
                    return null; // the destination or source was deleted while the attempt ran
                }
            }
            int number = attemptsOf(c, deliveryId);
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_ms, "
                    + "status_code, error, response_body) VALUES (?,?,?,?,?,?,?)")) {
                ins.setLong(1, deliveryId);
                ins.setInt(2, number);
                ins.setLong(3, attempt.startedAt());
                ins.setLong(4, attempt.durationMs());
                if (attempt.statusCode() == null) {
                    ins.setNull(5, Types.INTEGER);
                } else {
                    ins.setInt(5, attempt.statusCode());
                }
                ins.setString(6, attempt.error());
                ins.setString(7, attempt.responseBody());
                ins.executeUpdate();
            }
            return null;
        });
    }

    private static int attemptsOf(Connection c, long deliveryId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT attempts FROM deliveries WHERE id = ?")) {
            q.setLong(1, deliveryId);
            ResultSet rs = q.executeQuery();
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** Makes the event's failed deliveries due now; returns how many. */
    public int retryFailed(String eventId, long now) {
        return db.update("UPDATE deliveries SET status = 'PENDING', next_attempt_at = ? "
                + "WHERE status = 'FAILED' AND event_seq = (SELECT seq FROM events WHERE id = ?)", now, eventId);
    }
}
