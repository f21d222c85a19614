package dev.streamhook.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes the changes StreamHook captures: rows of {@code orders} whose webhook body is about 700
 * bytes, with ids chosen here so the receiver can map each event back to when it was meant to be
 * written. Row values are built by PostgreSQL itself, so the driver costs little client CPU.
 * Not thread-safe; each method runs to completion.
 */
final class LoadDriver {

    static final String CREATE_TABLE = "CREATE TABLE orders (id bigint PRIMARY KEY, status text, amount numeric(12,2),"
            + " payload jsonb, updated_at timestamptz)";

    /** Rows {@code lo..hi}, as one statement. */
    private static final String INSERT_RANGE = """
            INSERT INTO orders (id, status, amount, payload, updated_at)
            SELECT g, (ARRAY['pending','paid','shipped','delivered'])[1 + g % 4], round((g % 100000) / 7.0, 2),
              jsonb_build_object(
                'customer', jsonb_build_object('id', 'cus_' || md5(g::text), 'email', 'customer' || g || '@example.com', 'country', 'DE'),
                'items', jsonb_build_array(
                  jsonb_build_object('sku', 'SKU-' || (g % 977), 'qty', 1 + g % 3, 'price', 19.99),
                  jsonb_build_object('sku', 'SKU-' || (g % 131), 'qty', 2, 'price', 5.5)),
                'shipping', jsonb_build_object('method', 'express', 'address', g || ' Long Street, Springfield'),
                'note', md5(g::text || 'note')),
              now()
            FROM generate_series({lo}, {hi}) g""";

    /** What an open-loop run did: when each row was meant to be written, and how late the driver was. */
    record RateRun(long firstId, long[] intendedMicros, double seconds, double achievedRate, double maxStartLagMs, long failures) {
    }

    private LoadDriver() {
    }

    private static String range(String lo, String hi) {
        return INSERT_RANGE.replace("{lo}", lo).replace("{hi}", hi);
    }

    /** Rows {@code firstId..firstId+count-1} in transactions of {@code perTransaction} rows, on one connection. */
    static double insertBatched(BenchPostgres.Db db, long firstId, long count, int perTransaction) throws SQLException {
        long started = System.nanoTime();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (long lo = firstId; lo < firstId + count; lo += perTransaction) {
                long hi = Math.min(firstId + count, lo + perTransaction) - 1;
                s.execute(range(Long.toString(lo), Long.toString(hi))); // autocommit: one transaction per statement
            }
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /**
     * Rows {@code firstId..firstId+count-1}, one transaction each. A DO block commits after every row
     * (PostgreSQL 11+), so one round trip writes hundreds of transactions; a few connections in
     * parallel share WAL flushes the way busy clients do.
     */
    static double insertSingleRowTransactions(BenchPostgres.Db db, long firstId, long count, int connections) throws Exception {
        long started = System.nanoTime();
        int chunk = 500;
        AtomicLong next = new AtomicLong(firstId);
        long end = firstId + count;
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < connections; w++) {
                workers.add(pool.submit(() -> {
                    try (Connection c = db.connect(); Statement s = c.createStatement()) {
                        for (long lo = next.getAndAdd(chunk); lo < end; lo = next.getAndAdd(chunk)) {
                            long hi = Math.min(end, lo + chunk) - 1;
                            s.execute("DO $bench$ BEGIN FOR i IN " + lo + ".." + hi + " LOOP "
                                    + range("i", "i") + "; COMMIT; END LOOP; END $bench$");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /**
     * Open loop: row {@code firstId+i} is due at {@code start + i/rate}, whether or not earlier
     * inserts have finished, so a slow database or a busy machine shows as latency instead of as a
     * lower offered rate (no coordinated omission). Single-row autocommit transactions on
     * {@code connections} connections; due rows queue when all are busy.
     */
    static RateRun insertAtRate(BenchPostgres.Db db, long firstId, double rate, double seconds, int connections) throws Exception {
        int total = (int) Math.round(rate * seconds);
        long[] intended = new long[total];
        AtomicLong failures = new AtomicLong();
        AtomicLong maxLagNanos = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        List<Connection> opened = new ArrayList<>();
        ThreadLocal<PreparedStatement> statements = ThreadLocal.withInitial(() -> {
            try {
                Connection c = db.connect();
                synchronized (opened) {
                    opened.add(c);
                }
                return c.prepareStatement(range("?", "?"));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        ThreadPoolExecutor pool = new ThreadPoolExecutor(connections, connections, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        pool.prestartAllCoreThreads();
        long wallBase = Receiver.nowMicros();
        long nanoBase = System.nanoTime();
        long start = nanoBase + 50_000_000; // a moment for the threads to be ready
        try {
            for (int i = 0; i < total; i++) {
                long due = start + (long) (i * 1e9 / rate);
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                intended[i] = wallBase + (due - nanoBase) / 1_000;
                long id = firstId + i;
                pool.execute(() -> {
                    maxLagNanos.accumulateAndGet(System.nanoTime() - due, Math::max);
                    try {
                        PreparedStatement insert = statements.get();
                        insert.setLong(1, id);
                        insert.setLong(2, id);
                        insert.executeUpdate();
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    }
                });
            }
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
            synchronized (opened) {
                for (Connection c : opened) {
                    c.close();
                }
            }
        }
        if (firstFailure.get() != null) {
            System.err.println("bench: " + failures.get() + " inserts failed, first: " + firstFailure.get());
        }
        double took = (System.nanoTime() - start) / 1e9;
        return new RateRun(firstId, intended, took, (total - failures.get()) / took, maxLagNanos.get() / 1e6, failures.get());
    }
}
