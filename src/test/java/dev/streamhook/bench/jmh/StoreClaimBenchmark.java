package dev.streamhook.bench.jmh;

import dev.streamhook.event.WebhookPayload;
import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Lease;
import dev.streamhook.store.DeliveryQueue.Pending;
import dev.streamhook.store.DeliveryQueue.Result;
import dev.streamhook.store.DeliveryQueue.Status;
import dev.streamhook.testing.StoreBackend;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A lane's store work with a backlog of {@code backlog} pending deliveries for its one destination:
 * reading a page of 500 through the lane index ({@link DeliveryQueue#pending}), and recording 500
 * results as succeeded ({@link DeliveryQueue#record}, lease-checked, one group commit). The issue's
 * requirement is that a backlog of 1,000,000 does not slow a claim down: the time per page at 1M
 * should be within 10% of that at 100k.
 *
 * <p>The backlog is built once per trial, straight in SQL (a recursive CTE on SQLite,
 * {@code generate_series} on PostgreSQL) into the tables the migrations made, indexes in place:
 * events 1..N of one source, each with the 656-byte body of {@link Fixtures#updateEvent()}, and one
 * pending delivery each. On PostgreSQL it is then vacuumed and analysed, as autovacuum would after
 * such a load; SQLite gets no ANALYZE, as the store never runs one.
 *
 * <p>{@code readPage} walks the backlog from the start, each read after the last event of the page
 * before, and starts over at the end; {@code readPageAnywhere} reads the page after a random event;
 * neither changes anything. {@code recordPage} records the next page
 * (read before the invocation, not measured) and, after the invocation, puts those 500 deliveries
 * back to pending in a store transaction of its own (not measured), so every measured record sees a
 * backlog of exactly N and the walk moves on through the whole of it. Attempt rows accumulate, as
 * they do in a live store.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StoreClaimBenchmark {

    static final int PAGE = 500;
    private static final int LOAD_CHUNK = 50_000;

    /** The store with its backlog, built once per trial; readPage's walk. */
    @State(Scope.Thread)
    public static class Backlog {
        @Param({"SQLITE", "POSTGRESQL"})
        public StoreBackend backend;

        @Param({"100000", "1000000"})
        public int backlog;

        BenchStore store;
        DeliveryQueue queue;
        Lease lease;
        long cursor; // where the walk through the backlog is
        final SplittableRandom random = new SplittableRandom(42);

        @Setup(Level.Trial)
        public void buildBacklog() throws SQLException {
            store = BenchStore.open(backend);
            queue = new DeliveryQueue(store.db());
            long started = System.nanoTime();
            try (Connection c = store.connect()) {
                load(c, backend, backlog, WebhookPayload.encode(Fixtures.updateEvent()));
                long pending = count(c, "SELECT count(*) FROM deliveries WHERE destination_id = '" + BenchStore.DESTINATION_ID
                        + "' AND status = 'PENDING'");
                if (pending != backlog) {
                    throw new IllegalStateException("built " + pending + " pending deliveries, not " + backlog);
                }
            }
            System.out.printf("%n%s: backlog of %,d pending deliveries built in %.1f s%n", backend, backlog, (System.nanoTime() - started) / 1e9);
            long now = System.currentTimeMillis();
            lease = queue.acquire(BenchStore.DESTINATION_ID, "bench-node", now, TimeUnit.DAYS.toMillis(1)).orElseThrow();
            if (queue.pending(BenchStore.DESTINATION_ID, 0, PAGE).size() != PAGE) {
                throw new IllegalStateException("the first page is not full");
            }
        }

        @TearDown(Level.Trial)
        public void closeStore() {
            store.close();
        }
    }

    /** Events 1..n and one pending delivery each, committed in chunks so SQLite's WAL stays small. */
    static void load(Connection c, StoreBackend backend, int n, byte[] body) throws SQLException {
        boolean sqlite = backend == StoreBackend.SQLITE;
        String numbers = sqlite
                ? "(WITH RECURSIVE g(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM g WHERE i < ?) SELECT i FROM g) AS g"
                : "generate_series(?::bigint, ?::bigint) AS g(i)";
        String eventId = sqlite ? "printf('evt_%024x', i)" : "'evt_' || lpad(to_hex(i), 24, '0')";
        long now = System.currentTimeMillis();
        c.setAutoCommit(false);
        try (PreparedStatement events = c.prepareStatement("INSERT INTO events (seq, id, source_id, commit_lsn, position, schema_name, "
                + "table_name, operation, row_key, committed_at, body, created_at) SELECT i, " + eventId + ", ?, i * 4096, 0, 'public', "
                + "'orders', 'UPDATE', 'public.orders[\"' || (i % 50000) || '\"]', ?, ?, ? FROM " + numbers);
             PreparedStatement deliveries = c.prepareStatement("INSERT INTO deliveries (id, event_seq, destination_id, row_key, status, "
                     + "attempts, next_attempt_at) SELECT seq, seq, ?, row_key, 'PENDING', 0, created_at FROM events WHERE seq BETWEEN ? AND ?")) {
            for (long from = 1; from <= n; from += LOAD_CHUNK) {
                long to = Math.min(n, from + LOAD_CHUNK - 1);
                events.setString(1, Fixtures.SOURCE_ID);
                events.setLong(2, now);
                events.setBytes(3, body);
                events.setLong(4, now);
                events.setLong(5, from);
                events.setLong(6, to);
                events.executeUpdate();
                deliveries.setString(1, BenchStore.DESTINATION_ID);
                deliveries.setLong(2, from);
                deliveries.setLong(3, to);
                deliveries.executeUpdate();
                c.commit();
            }
        }
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            if (sqlite) {
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            } else {
                // rows given explicit ids: move the identity sequences past them, as a live store's would be
                s.execute("SELECT setval(pg_get_serial_sequence('events', 'seq'), " + n + ")");
                s.execute("SELECT setval(pg_get_serial_sequence('deliveries', 'id'), " + n + ")");
                s.execute("VACUUM ANALYZE events, deliveries");
            }
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Benchmark
    public List<Pending> readPage(Backlog b) {
        List<Pending> page = b.queue.pending(BenchStore.DESTINATION_ID, b.cursor, PAGE);
        b.cursor = page.isEmpty() || page.getLast().eventSeq() >= b.backlog ? 0 : page.getLast().eventSeq();
        return page;
    }

    /**
     * A page at a random depth of the backlog (same seed every trial). The walk above covers only
     * the first part of a 1M backlog in a short run when pages are slow; this samples all of it.
     */
    @Benchmark
    public List<Pending> readPageAnywhere(Backlog b) {
        return b.queue.pending(BenchStore.DESTINATION_ID, b.random.nextLong(b.backlog - PAGE), PAGE);
    }

    @Benchmark
    public boolean recordPage(Recording b) {
        boolean recorded = b.queue.record(b.lease, b.results, System.currentTimeMillis()).join();
        if (!recorded) {
            throw new IllegalStateException("the lease was lost: nothing recorded");
        }
        return recorded;
    }

    /**
     * recordPage's backlog and walk: the page to record, read before each invocation, and put back
     * after it (neither measured). A subclass, not a second state the helpers take as an argument:
     * JMH 1.37 hands each helper argument of a thread-scoped state its own instance, which built the
     * backlog three times per trial.
     */
    @State(Scope.Thread)
    public static class Recording extends Backlog {
        private List<Result> results;

        @Setup(Level.Invocation)
        public void nextPage() {
            List<Pending> page = queue.pending(BenchStore.DESTINATION_ID, cursor, PAGE);
            if (page.size() < PAGE) {
                cursor = 0;
                page = queue.pending(BenchStore.DESTINATION_ID, cursor, PAGE);
            }
            long now = System.currentTimeMillis();
            results = new ArrayList<>(PAGE);
            for (Pending p : page) {
                results.add(new Result(p.deliveryId(), p.attempts() + 1, new Attempt(now, 42, 200, null, "{\"ok\":true}"),
                        Status.SUCCEEDED, now));
            }
        }

        /** Puts the recorded page back to pending, so the backlog stays at N; the walk goes on after it. */
        @TearDown(Level.Invocation)
        public void reopenRecorded() {
            long first = results.getFirst().deliveryId();
            long last = results.getLast().deliveryId();
            store.db().update("UPDATE deliveries SET status = 'PENDING', attempts = 0, last_attempt_at = NULL "
                    + "WHERE destination_id = ? AND id BETWEEN ? AND ?", BenchStore.DESTINATION_ID, first, last);
            cursor = last >= backlog ? 0 : last; // a delivery's id is its event's seq in this backlog
        }
    }
}
