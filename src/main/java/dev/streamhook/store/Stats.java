package dev.streamhook.store;

import dev.streamhook.store.DeliveryQueue.Result;
import dev.streamhook.store.DeliveryQueue.Status;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counters per minute, per source (events captured, the largest slot lag sampled) and per
 * destination (deliveries that succeeded, attempts, failed attempts, commit-to-2xx latency), for
 * charts of the last hour or day. They are written inside the store transactions that append the
 * events and record the results, one upsert per minute touched, so they agree with what was stored
 * and cost a group commit one statement; several nodes add to the same rows safely. Kept
 * {@link #KEPT_MILLIS}; thread-safe (stateless).
 */
public final class Stats {

    static final long MINUTE = 60_000;
    /** Two days: the longest range the charts show is a day. */
    static final long KEPT_MILLIS = 2 * 86_400_000L;

    /** One bucket of a series: its start (epoch ms) and the counters summed over its minutes. */
    public record Point(long at, long events, long delivered, long attempts, long failedAttempts, long latencyMsSum, long latencyMsMax,
                        Long slotLagBytes) {
        static Point empty(long at) {
            return new Point(at, 0, 0, 0, 0, 0, 0, null);
        }
    }

    private final Database db;

    public Stats(Database db) {
        this.db = db;
    }

    static void countEvents(Connection c, String sourceId, int events, long now) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("INSERT INTO stats_minutes (scope, minute, events) VALUES (?, ?, ?) "
                + "ON CONFLICT (scope, minute) DO UPDATE SET events = stats_minutes.events + excluded.events")) {
            up.setString(1, sourceId);
            up.setLong(2, minuteOf(now));
            up.setLong(3, events);
            up.executeUpdate();
        }
    }

    static void countResults(Connection c, Dialect dialect, String destinationId, List<Result> results, long now) throws SQLException {
        long delivered = 0;
        long failed = 0;
        long latencySum = 0;
        long latencyMax = 0;
        for (Result r : results) {
            if (!r.attempt().succeeded()) {
                failed++;
            }
            if (r.next() == Status.SUCCEEDED) {
                delivered++;
                if (r.committedAt() > 0) {
                    long latency = Math.max(0, r.attempt().startedAt() + r.attempt().durationMs() - r.committedAt());
                    latencySum += latency;
                    latencyMax = Math.max(latencyMax, latency);
                }
            }
        }
        try (PreparedStatement up = c.prepareStatement("INSERT INTO stats_minutes (scope, minute, delivered, attempts, failed_attempts, "
                + "latency_ms_sum, latency_ms_max) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, minute) DO UPDATE SET "
                + "delivered = stats_minutes.delivered + excluded.delivered, attempts = stats_minutes.attempts + excluded.attempts, "
                + "failed_attempts = stats_minutes.failed_attempts + excluded.failed_attempts, "
                + "latency_ms_sum = stats_minutes.latency_ms_sum + excluded.latency_ms_sum, "
                + "latency_ms_max = " + dialect.greatest("stats_minutes.latency_ms_max", "excluded.latency_ms_max"))) {
            up.setString(1, destinationId);
            up.setLong(2, minuteOf(now));
            up.setLong(3, delivered);
            up.setLong(4, results.size());
            up.setLong(5, failed);
            up.setLong(6, latencySum);
            up.setLong(7, latencyMax);
            up.executeUpdate();
        }
    }

    static void recordSlotLag(Connection c, Dialect dialect, String sourceId, long lagBytes, long now) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("INSERT INTO stats_minutes (scope, minute, slot_lag_bytes) VALUES (?, ?, ?) "
                + "ON CONFLICT (scope, minute) DO UPDATE SET slot_lag_bytes = "
                + dialect.greatest("COALESCE(stats_minutes.slot_lag_bytes, 0)", "excluded.slot_lag_bytes"))) {
            up.setString(1, sourceId);
            up.setLong(2, minuteOf(now));
            up.setLong(3, lagBytes);
            up.executeUpdate();
        }
    }

    /**
     * {@code scope}'s counters from {@code from} (inclusive) to {@code to} (exclusive) in buckets of
     * {@code bucketMillis} (a whole number of minutes), every bucket present, empty ones zero.
     */
    public List<Point> series(String scope, long from, long to, long bucketMillis) {
        long start = from - Math.floorMod(from, bucketMillis);
        Map<Long, Point> found = db.read(c -> {
            Map<Long, Point> out = new HashMap<>();
            try (PreparedStatement q = c.prepareStatement("SELECT (minute - ?) / ? AS bucket, SUM(events), SUM(delivered), SUM(attempts), "
                    + "SUM(failed_attempts), SUM(latency_ms_sum), MAX(latency_ms_max), MAX(slot_lag_bytes) FROM stats_minutes "
                    + "WHERE scope = ? AND minute >= ? AND minute < ? GROUP BY 1")) { // by position: PostgreSQL cannot match two (minute - ?) / ?
                q.setLong(1, start);
                q.setLong(2, bucketMillis);
                q.setString(3, scope);
                q.setLong(4, start);
                q.setLong(5, to);
                ResultSet rs = q.executeQuery();
                while (rs.next()) {
                    long at = start + rs.getLong(1) * bucketMillis;
                    long lag = rs.getLong(8);
                    Long slotLag = rs.wasNull() ? null : lag;
                    out.put(at, new Point(at, rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), slotLag));
                }
            }
            return out;
        });
        List<Point> series = new ArrayList<>();
        for (long at = start; at < to; at += bucketMillis) {
            series.add(found.getOrDefault(at, Point.empty(at)));
        }
        return series;
    }

    /** Deletes the minutes older than {@link #KEPT_MILLIS}; what the pruner calls. */
    public int prune(long now) {
        return db.update("DELETE FROM stats_minutes WHERE minute < ?", now - KEPT_MILLIS);
    }

    static long minuteOf(long millis) {
        return millis - Math.floorMod(millis, MINUTE);
    }
}
