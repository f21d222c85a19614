package dev.streamhook.capture;

import dev.streamhook.capture.SourceException.Reason;
import dev.streamhook.store.Backfills;
import dev.streamhook.store.Backfills.Backfill;
import dev.streamhook.store.Backfills.Status;
import dev.streamhook.store.Backfills.TableProgress;
import dev.streamhook.store.Sources.Source;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the snapshot and backfills of one source, one at a time, oldest first, while its capture
 * streams on. Each table is read in primary-key order, one chunk per watermark window
 * ({@link Watermarks}): low watermark, chunk, high watermark; capture stores the chunk at the high
 * watermark together with the table's progress, and only then is the next chunk read. A restart
 * (of the node, or after a failure) goes on after the last stored key, so no stored row is sent
 * again and none is skipped. A backfill waits while its source has no destination: its events
 * would reach no one.
 *
 * <p>Thread-safety: runs on its own thread, started by {@link #start()}; {@link #wake()} and
 * {@link #stop()} may be called from any thread. Owns and closes its connection to the source.
 */
final class SnapshotWorker {

    private static final Logger log = LoggerFactory.getLogger(SnapshotWorker.class);
    /** Body text a chunk may hold in memory, whatever its row count. */
    static final long CHUNK_BYTES = 8L << 20;
    /** How long a chunk may wait for capture to store it before it is given up and read again. */
    private static final Duration CHUNK_TIMEOUT = Duration.ofSeconds(60);
    /** How long reading waits for transactions that committed in the WAL before the low watermark to become visible. */
    private static final Duration VISIBILITY_WAIT = Duration.ofSeconds(10);
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final Set<Reason> PERMANENT = Set.of(Reason.TABLE_HAS_NO_PRIMARY_KEY, Reason.TABLE_NOT_FOUND, Reason.INVALID_TABLE_NAME);

    private final Source source;
    private final ConnectionSpec spec;
    private final Backfills backfills;
    private final Predicate<String> hasDestinations;
    private final SourceDatabase sourceDatabase;
    private final Watermarks watermarks;
    private final int chunkRows;
    private final Semaphore wakeUp = new Semaphore(0);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection connection;

    SnapshotWorker(Source source, Backfills backfills, Predicate<String> hasDestinations, SourceDatabase sourceDatabase,
                   Watermarks watermarks, int chunkRows) {
        this.source = source;
        this.spec = ConnectionSpec.parse(source.connectionUri());
        this.backfills = backfills;
        this.hasDestinations = hasDestinations;
        this.sourceDatabase = sourceDatabase;
        this.watermarks = watermarks;
        this.chunkRows = chunkRows;
        this.thread = Thread.ofPlatform().name("snapshot-" + source.id()).daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** A backfill was added, or a destination: look again now rather than at the next poll. */
    void wake() {
        wakeUp.release();
    }

    void stop() {
        running = false;
        wake();
        Connection c = connection;
        if (c != null) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException ignored) {
                // stopping either way
            }
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long backoff = 1_000;
        while (running) {
            Optional<Backfill> next = Optional.empty();
            try {
                next = backfills.next(source.id());
                if (next.isEmpty()) {
                    pause(5_000);
                    continue;
                }
                Backfill backfill = next.get();
                if (!hasDestinations.test(source.id())) {
                    if (backfill.status() != Status.WAITING) {
                        backfills.setStatus(backfill.id(), Status.WAITING, System.currentTimeMillis());
                    }
                    pause(1_000);
                    continue;
                }
                if (backfill.status() != Status.RUNNING) {
                    backfills.setStatus(backfill.id(), Status.RUNNING, System.currentTimeMillis());
                }
                if (runBackfill(backfill)) {
                    backfills.setStatus(backfill.id(), Status.DONE, System.currentTimeMillis());
                    log.info("{} {} of {} done", backfill.kind().wire(), backfill.id(), source.id());
                }
                backoff = 1_000;
            } catch (SourceException e) {
                if (PERMANENT.contains(e.reason()) && next.isPresent()) {
                    backfills.fail(next.get().id(), e.getMessage(), System.currentTimeMillis());
                    continue;
                }
                backoff = retryLater(e.getMessage(), backoff);
            } catch (Exception | Error e) { // a dead worker would leave a snapshot running forever, silently
                backoff = retryLater(SourceDatabase.firstLine(e), backoff);
            }
        }
    }

    private long retryLater(String why, long backoff) {
        if (running) {
            log.warn("snapshot of {} interrupted, going on in {} ms from the last stored chunk: {}", source.id(), backoff, why);
            pause(backoff);
        }
        return Math.min(MAX_BACKOFF_MS, backoff * 2);
    }

    /** Reads every table not done yet; true when all are (false: stopped meanwhile). */
    private boolean runBackfill(Backfill backfill) throws SQLException, InterruptedException {
        try (Connection c = sourceDatabase.connectForSnapshot(spec)) {
            connection = c;
            for (TableProgress progress : backfill.tables()) {
                if (!progress.done() && !readTable(c, backfill, progress)) {
                    return false;
                }
            }
            return running;
        } finally {
            connection = null;
        }
    }

    private boolean readTable(Connection c, Backfill backfill, TableProgress progress) throws SQLException, InterruptedException {
        TableName table = TableName.parse(progress.table());
        TableChunks.Layout layout = TableChunks.describe(c, table);
        if (progress.rowsEstimated() == null) {
            backfills.setEstimate(backfill.id(), progress.position(), estimateRows(c, table));
        }
        List<String> after = progress.lastKey();
        while (running) {
            TableChunks.Chunk chunk = readChunk(c, backfill, progress.position(), layout, after);
            if (chunk == null) {
                continue; // given up (capture did not store it in time): read again from the same key
            }
            if (chunk.exhausted()) {
                return true;
            }
            after = chunk.lastKey();
        }
        return false;
    }

    /**
     * One watermark window. Returns the chunk once capture stored it with its progress (an empty
     * one, read past the table's end, is recorded without watermarks), or null when it was given
     * up and must be read again.
     */
    private TableChunks.Chunk readChunk(Connection c, Backfill backfill, int position, TableChunks.Layout layout, List<String> after)
            throws SQLException, InterruptedException {
        Watermarks.Window window = watermarks.expect(source.id() + ":" + UUID.randomUUID(), layout.table());
        boolean handedOver = false;
        try {
            long t0 = System.nanoTime();
            emit(c, Watermarks.low(window.token));
            awaitCommittedBeforeLowWatermark(c);
            TableChunks.Chunk chunk;
            c.setAutoCommit(false);
            try {
                chunk = TableChunks.read(c, layout, after, chunkRows, CHUNK_BYTES);
            } finally {
                c.rollback(); // it changed nothing
                c.setAutoCommit(true);
            }
            if (chunk.rows().isEmpty()) {
                backfills.tableDone(backfill.id(), position);
                return chunk;
            }
            watermarks.ready(window, chunk.rows(),
                    Backfills.progress(backfill.id(), position, chunk.lastKey(), chunk.rows().size(), chunk.exhausted()));
            long t1 = System.nanoTime();
            emit(c, Watermarks.high(window.token));
            handedOver = true;
            boolean ok = awaitStored(window);
            log.debug("snapshot chunk of {} rows of {}: read in {} ms, stored {} ms later", chunk.rows().size(), layout.table(),
                    (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
            return ok ? chunk : null;
        } finally {
            if (!handedOver) {
                watermarks.forget(window);
            }
        }
    }

    /**
     * Waits for capture to store the chunk. After the timeout the chunk is given up only if capture
     * has not taken it yet; once taken, its store write always answers, and that answer decides.
     */
    private boolean awaitStored(Watermarks.Window window) throws InterruptedException {
        try {
            window.stored.get(CHUNK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            if (watermarks.forget(window)) {
                log.warn("capture of {} did not store a snapshot chunk within {} s; it is read again", source.id(), CHUNK_TIMEOUT.toSeconds());
                return false;
            }
            try {
                window.stored.get();
                return true;
            } catch (ExecutionException failed) {
                return false;
            }
        } catch (ExecutionException e) {
            return false; // not stored (the store failed, or the watermarks came in the wrong order): read it again
        }
    }

    private static void emit(Connection c, byte[] content) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?::bytea)")) {
            q.setString(1, Watermarks.PREFIX);
            q.setBytes(2, content);
            q.execute();
        }
    }

    /**
     * A transaction becomes visible a moment after its commit record is in the WAL (longer with a
     * synchronous standby). One whose commit record precedes the low watermark but which the chunk's
     * snapshot does not see yet would be streamed before the window and its row read stale; so the
     * chunk is read only once every transaction already committed (in the commit log) at the low
     * watermark is visible. Transactions still running then commit after the low watermark, inside
     * the window or later, where the window's rule covers them.
     */
    private void awaitCommittedBeforeLowWatermark(Connection c) throws SQLException, InterruptedException {
        String snapshot;
        try (PreparedStatement q = c.prepareStatement("SELECT pg_current_snapshot()::text"); ResultSet rs = q.executeQuery()) {
            rs.next();
            snapshot = rs.getString(1);
        }
        long deadline = System.nanoTime() + VISIBILITY_WAIT.toNanos();
        try (PreparedStatement q = c.prepareStatement("""
                SELECT count(*) FROM pg_snapshot_xip(?::pg_snapshot) x
                WHERE pg_xact_status(x) = 'committed' AND x IN (SELECT pg_snapshot_xip(pg_current_snapshot()))""")) {
            q.setString(1, snapshot);
            while (true) {
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    log.warn("snapshot of {}: a committed transaction stayed invisible for {} s (a synchronous standby?); reading on",
                            source.id(), VISIBILITY_WAIT.toSeconds());
                    return;
                }
                Thread.sleep(2);
            }
        }
    }

    /** The planner's estimate, or a count when the table was never analyzed; null when neither is quick. */
    private static Long estimateRows(Connection c, TableName table) {
        try (PreparedStatement q = c.prepareStatement("SELECT reltuples::bigint FROM pg_class WHERE oid = ?::regclass")) {
            q.setString(1, table.quoted());
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next() && rs.getLong(1) >= 0) {
                    return rs.getLong(1);
                }
            }
            try (PreparedStatement count = c.prepareStatement("SELECT count(*) FROM " + table.quoted())) {
                count.setQueryTimeout(10);
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        } catch (SQLException e) {
            return null;
        }
    }

    private void pause(long millis) {
        try {
            wakeUp.tryAcquire(millis, TimeUnit.MILLISECONDS);
            wakeUp.drainPermits();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
