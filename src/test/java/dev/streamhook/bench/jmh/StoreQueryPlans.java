package dev.streamhook.bench.jmh;

import dev.streamhook.event.WebhookPayload;
import dev.streamhook.testing.StoreBackend;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Prints the query plans of a lane's store statements over a backlog built as
 * {@link StoreClaimBenchmark} builds it, and times the page read at several points of the walk: the
 * evidence behind the claim benchmark's numbers (docs/bench/jmh.md). Not a benchmark; run it with
 * the benchmark classpath:
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/jmh-classpath.txt) \
 *     dev.streamhook.bench.jmh.StoreQueryPlans [SQLITE|POSTGRESQL] [backlog]
 * </pre>
 *
 * The statements are DeliveryQueue's, copied here (it keeps them private), with literal values.
 */
public final class StoreQueryPlans {

    /**
     * DeliveryQueue.pending's first query, joined events-first: on PostgreSQL its plan walked the
     * event log from the start (this program showed it). ? are destination, after-seq, limit.
     */
    static final String PENDING = """
            SELECT d.id, d.event_seq, e.id, d.row_key, d.attempts, d.next_attempt_at, e.body
            FROM deliveries d JOIN events e ON e.seq = d.event_seq
            WHERE d.destination_id = ? AND d.status = 'PENDING' AND d.event_seq > ?
            ORDER BY d.event_seq
            LIMIT ?""";

    /**
     * DeliveryQueue.pending's query now: the page from the lane index first, then its 500 events,
     * so no plan can walk the event log to find them.
     */
    static final String PENDING_PAGE_FIRST = """
            SELECT d.id, d.event_seq, e.id, d.row_key, d.attempts, d.next_attempt_at, e.body
            FROM (SELECT id, event_seq, row_key, attempts, next_attempt_at FROM deliveries
                  WHERE destination_id = ? AND status = 'PENDING' AND event_seq > ?
                  ORDER BY event_seq LIMIT ?) d
            JOIN events e ON e.seq = d.event_seq
            ORDER BY d.event_seq""";

    private StoreQueryPlans() {
    }

    public static void main(String[] args) throws Exception {
        StoreBackend backend = StoreBackend.valueOf(args.length > 0 ? args[0] : "SQLITE");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        try (BenchStore store = BenchStore.open(backend); Connection c = store.connect()) {
            StoreClaimBenchmark.load(c, backend, n, WebhookPayload.encode(Fixtures.updateEvent()));
            System.out.printf("%s, backlog of %,d pending deliveries%n", backend, n);
            String dst = "'" + BenchStore.DESTINATION_ID + "'";
            List<Long> cursors = List.of(0L, n / 2L, n - 1_000L);
            for (long cursor : cursors) {
                String sql = literal(PENDING, dst, cursor);
                System.out.printf("%n-- page read after event %,d%n", cursor);
                plan(c, backend, sql);
            }
            System.out.println("\n-- record: one of the 500 updates, and the lease check");
            plan(c, backend, "UPDATE deliveries SET status = 'SUCCEEDED', attempts = 1, last_attempt_at = 1, next_attempt_at = 1 "
                    + "WHERE id = " + (n / 2) + " AND destination_id = " + dst);
            plan(c, backend, "SELECT token, lease_until FROM lanes WHERE destination_id = " + dst);
            if (backend == StoreBackend.POSTGRESQL) {
                preparedPlans(c, n);
            }
            System.out.println("\n-- page read time through a prepared statement, as DeliveryQueue reads (median of 20, ms)");
            try (PreparedStatement q = c.prepareStatement(PENDING)) {
                for (long cursor : cursors) {
                    System.out.printf("after event %,9d: %.2f ms%n", cursor, medianMillis(q, cursor));
                }
            }
            pageFirst(c, backend, n / 2, dst);
            settledHistory(c, backend, n, dst);
            pageFirst(c, backend, 0, dst);
        }
    }

    /**
     * A lane that caught up on most of a long history: the first 90% of the deliveries succeeded
     * (analysed on PostgreSQL, as autovacuum would), and the lane reads from the start again, as
     * Lane does when it goes idle.
     */
    private static void settledHistory(Connection c, StoreBackend backend, int n, String dst) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE deliveries SET status = 'SUCCEEDED' WHERE event_seq <= " + (n / 10 * 9));
            if (backend == StoreBackend.POSTGRESQL) {
                s.execute("VACUUM ANALYZE deliveries");
            }
        }
        System.out.printf("%n-- 90%% of the deliveries succeeded; page read from the start%n");
        plan(c, backend, literal(PENDING, dst, 0));
        try (PreparedStatement q = c.prepareStatement(PENDING)) {
            System.out.printf("after event 0: %.2f ms (median of 20)%n", medianMillis(q, 0));
        }
    }

    private static void pageFirst(Connection c, StoreBackend backend, long cursor, String dst) throws SQLException {
        System.out.printf("%n-- the page-first rewrite (not the store's query), after event %,d%n", cursor);
        plan(c, backend, literal(PENDING_PAGE_FIRST, dst, cursor));
        try (PreparedStatement q = c.prepareStatement(PENDING_PAGE_FIRST)) {
            System.out.printf("after event %,d: %.2f ms (median of 20)%n", cursor, medianMillis(q, cursor));
        }
    }

    private static String literal(String sql, String dst, long cursor) {
        return sql.replaceFirst("\\?", dst).replaceFirst("\\?", Long.toString(cursor)).replaceFirst("\\?", "500");
    }

    /**
     * PgJDBC turns a statement into a named server-side one from its fifth execution on, and the
     * server may then plan it once for all parameter values (a generic plan): the plan the store's
     * connections actually run after warming up.
     */
    private static void preparedPlans(Connection c, int n) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PREPARE page(text, bigint, int) AS " + PENDING.replace("= ?", "= $1").replace("> ?", "> $2").replace("LIMIT ?", "LIMIT $3"));
            for (int i = 0; i < 6; i++) {
                s.execute("EXECUTE page('" + BenchStore.DESTINATION_ID + "', " + (n / 2) + ", 500)");
            }
            System.out.println("\n-- the prepared page read after six executions (PgJDBC's prepareThreshold is 5), after event " + (n / 2));
            print(s, "EXPLAIN (ANALYZE, BUFFERS) EXECUTE page('" + BenchStore.DESTINATION_ID + "', " + (n / 2) + ", 500)");
            s.execute("DEALLOCATE page");
        }
    }

    private static void plan(Connection c, StoreBackend backend, String sql) throws SQLException {
        System.out.println(sql.replaceAll("\\s+", " "));
        try (Statement s = c.createStatement()) {
            if (backend == StoreBackend.SQLITE) {
                try (ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
                    while (rs.next()) {
                        System.out.println("  " + rs.getString("detail"));
                    }
                }
            } else {
                c.setAutoCommit(false); // EXPLAIN ANALYZE runs the statement: roll back what it changed
                print(s, "EXPLAIN (ANALYZE, BUFFERS) " + sql);
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    private static void print(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                System.out.println("  " + rs.getString(1));
            }
        }
    }

    private static double medianMillis(PreparedStatement q, long cursor) throws SQLException {
        double[] times = new double[20];
        for (int i = 0; i < times.length; i++) {
            long start = System.nanoTime();
            q.setString(1, BenchStore.DESTINATION_ID);
            q.setLong(2, cursor);
            q.setInt(3, 500);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rs.getBytes(7);
                }
            }
            times[i] = (System.nanoTime() - start) / 1e6;
        }
        java.util.Arrays.sort(times);
        return times[times.length / 2];
    }
}
