package dev.streamhook.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Writes a lane's group of results to the store: each delivery's new state on its row, and every
 * attempt that did not succeed as a row of {@code delivery_attempts} (one that succeeded stays on
 * its delivery's row, V16).
 *
 * <p>On PostgreSQL the delivery rows are updated by one statement over arrays, not one statement
 * per result: the server's cost per statement (bind, execute, its own snapshot) was most of what a
 * result cost it. SQLite runs statements in the process, where a prepared statement's batch is as
 * cheap.
 *
 * <p>Called inside the writer's transaction; the caller has checked the lane's lease.
 */
final class ResultRows {

    private static final String UPDATE_ONE = "UPDATE deliveries SET status = ?, attempts = ?, last_attempt_at = ?, "
            + "next_attempt_at = ?, succeeded_status_code = ?, succeeded_duration_ms = ?, succeeded_response = ? "
            + "WHERE id = ? AND destination_id = ?";
    private static final String UPDATE_ALL = "UPDATE deliveries d SET status = r.status, attempts = r.attempts, "
            + "last_attempt_at = r.last_attempt_at, next_attempt_at = r.next_attempt_at, succeeded_status_code = r.code, "
            + "succeeded_duration_ms = r.duration_ms, succeeded_response = r.response "
            + "FROM unnest(?::bigint[], ?::text[], ?::int[], ?::bigint[], ?::bigint[], ?::int[], ?::bigint[], ?::text[]) "
            + "AS r(id, status, attempts, last_attempt_at, next_attempt_at, code, duration_ms, response) "
            + "WHERE d.id = r.id AND d.destination_id = ? RETURNING d.id";
    private static final String INSERT_ATTEMPT = "INSERT INTO delivery_attempts (delivery_id, attempt, started_at, "
            + "duration_ms, status_code, error, response_body, error_kind) VALUES (?,?,?,?,?,?,?,?)";

    private ResultRows() {
    }

    static void write(Connection c, Dialect dialect, String destinationId, List<DeliveryQueue.Result> results) throws SQLException {
        boolean[] updated = dialect == Dialect.POSTGRESQL && distinct(results)
                ? updateAll(c, destinationId, results)
                : updateEach(c, destinationId, results);
        try (PreparedStatement ins = c.prepareStatement(INSERT_ATTEMPT)) {
            boolean any = false;
            for (int i = 0; i < results.size(); i++) {
                DeliveryQueue.Result r = results.get(i);
                if (!updated[i] || r.next() == DeliveryQueue.Status.SUCCEEDED) {
                    continue; // the destination or its source was deleted meanwhile, or the attempt is on the delivery
                }
                DeliveryQueue.Attempt a = r.attempt();
                ins.setLong(1, r.deliveryId());
                ins.setInt(2, r.attemptNumber());
                ins.setLong(3, a.startedAt());
                ins.setLong(4, a.durationMs());
                ins.setObject(5, a.statusCode(), Types.INTEGER);
                ins.setString(6, a.error());
                ins.setString(7, a.responseBody());
                ins.setString(8, a.errorKind() == null ? null : a.errorKind().name().toLowerCase(Locale.ROOT));
                ins.addBatch();
                any = true;
            }
            if (any) {
                ins.executeBatch();
            }
        }
    }

    /** One statement per result; whether each found its row. */
    private static boolean[] updateEach(Connection c, String destinationId, List<DeliveryQueue.Result> results) throws SQLException {
        try (PreparedStatement up = c.prepareStatement(UPDATE_ONE)) {
            for (DeliveryQueue.Result r : results) {
                boolean succeeded = r.next() == DeliveryQueue.Status.SUCCEEDED;
                up.setString(1, r.next().name());
                up.setInt(2, r.attemptNumber());
                up.setLong(3, r.attempt().startedAt());
                up.setLong(4, r.nextAttemptAt());
                up.setObject(5, succeeded ? r.attempt().statusCode() : null, Types.INTEGER);
                up.setObject(6, succeeded ? r.attempt().durationMs() : null, Types.BIGINT);
                up.setString(7, succeeded ? r.attempt().responseBody() : null);
                up.setLong(8, r.deliveryId());
                up.setString(9, destinationId);
                up.addBatch();
            }
            int[] counts = up.executeBatch();
            boolean[] updated = new boolean[counts.length];
            for (int i = 0; i < counts.length; i++) {
                updated[i] = counts[i] != 0;
            }
            return updated;
        }
    }

    /**
     * One statement for all results (PostgreSQL). Only for results of distinct deliveries: an
     * UPDATE ... FROM that joins a row twice updates it once, with either.
     */
    private static boolean[] updateAll(Connection c, String destinationId, List<DeliveryQueue.Result> results) throws SQLException {
        int n = results.size();
        Long[] ids = new Long[n];
        String[] statuses = new String[n];
        Integer[] attempts = new Integer[n];
        Long[] lastAttemptAt = new Long[n];
        Long[] nextAttemptAt = new Long[n];
        Integer[] codes = new Integer[n];
        Long[] durations = new Long[n];
        String[] responses = new String[n];
        for (int i = 0; i < n; i++) {
            DeliveryQueue.Result r = results.get(i);
            boolean succeeded = r.next() == DeliveryQueue.Status.SUCCEEDED;
            ids[i] = r.deliveryId();
            statuses[i] = r.next().name();
            attempts[i] = r.attemptNumber();
            lastAttemptAt[i] = r.attempt().startedAt();
            nextAttemptAt[i] = r.nextAttemptAt();
            codes[i] = succeeded ? r.attempt().statusCode() : null;
            durations[i] = succeeded ? r.attempt().durationMs() : null;
            responses[i] = succeeded ? r.attempt().responseBody() : null;
        }
        Set<Long> found = new HashSet<>(n * 2);
        try (PreparedStatement up = c.prepareStatement(UPDATE_ALL)) {
            Array[] arrays = {
                c.createArrayOf("int8", ids), c.createArrayOf("text", statuses), c.createArrayOf("int4", attempts),
                c.createArrayOf("int8", lastAttemptAt), c.createArrayOf("int8", nextAttemptAt), c.createArrayOf("int4", codes),
                c.createArrayOf("int8", durations), c.createArrayOf("text", responses)};
            for (int i = 0; i < arrays.length; i++) {
                up.setArray(i + 1, arrays[i]);
            }
            up.setString(arrays.length + 1, destinationId);
            ResultSet rs = up.executeQuery();
            while (rs.next()) {
                found.add(rs.getLong(1));
            }
        }
        boolean[] updated = new boolean[n];
        for (int i = 0; i < n; i++) {
            updated[i] = found.contains(ids[i]);
        }
        return updated;
    }

    private static boolean distinct(List<DeliveryQueue.Result> results) {
        Set<Long> seen = new HashSet<>(results.size() * 2);
        for (DeliveryQueue.Result r : results) {
            if (!seen.add(r.deliveryId())) {
                return false;
            }
        }
        return true;
    }
}
