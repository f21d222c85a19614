package dev.streamhook.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every write to the store goes through here: one thread takes whatever units of work are queued
 * and runs them in one transaction, so capture's appends and delivery's results share a commit (and
 * its fsync) instead of paying one each. It never waits to fill a batch: a batch is what queued up
 * while the previous commit ran, so a lone write commits at once and a busy store commits in groups.
 *
 * <p>A unit that throws fails alone: the batch is rolled back and its units are run again one per
 * transaction, so one bad write never takes its neighbours down. Units must therefore touch nothing
 * but the connection they are given (they may run twice, the first run rolled back).
 *
 * <p>Idle, the writer thread waits for work without a timeout: it wakes for a unit, a request of
 * {@link #betweenCommits} or {@link #close()}, never to look.
 *
 * <p>Thread-safety: {@link #submit} may be called from any thread. Futures complete on the writer
 * thread, after the commit; what is chained to them must be quick. {@link #close()} finishes what was
 * queued, then stops.
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);
    private static final int MAX_BATCH = 512;
    /** Queued units beyond which a submitter waits: bounds the heap when the disk is slower than the producers. */
    private static final int MAX_QUEUED = 4_096;

    private record Task<T>(Database.Work<T> work, CompletableFuture<T> done) {
    }

    private final DataSource dataSource;
    /** Queued only to wake the writer (for {@link #betweenCommits} or {@link #close()}); runs nothing. */
    private final Task<Void> wake = new Task<>(c -> null, new CompletableFuture<>());
    private final LinkedBlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final Thread thread;
    private volatile boolean running = true;
    /** Work asked for by {@link #betweenCommits}, run by the writer thread outside any transaction. */
    private final AtomicReference<Database.Work<?>> between = new AtomicReference<>();
    /** Transactions committed, and the units of work they carried: how much group commit groups. */
    private final AtomicLong commits = new AtomicLong();
    private final java.util.concurrent.atomic.LongAdder committedUnits = new java.util.concurrent.atomic.LongAdder();
    /** A thread parked in {@link #awaitCommitAfter}, unparked by the next commit. */
    private volatile Thread commitWaiter;

    GroupCommitWriter(DataSource dataSource, String name) {
        this.dataSource = dataSource;
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    <T> CompletableFuture<T> submit(Database.Work<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new StoreException("the store is closed"));
            return done;
        }
        Task<T> task = new Task<>(work, done);
        try {
            queue.put(task);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.completeExceptionally(new StoreException("interrupted while waiting to write to the store"));
        }
        if (!thread.isAlive() && queue.remove(task)) {
            done.completeExceptionally(new StoreException("the store is closed")); // queued after the writer's last drain
        }
        return done;
    }

    /**
     * Runs {@code work} once on the writer's connection, in autocommit and between two group commits,
     * so no write is appended while it runs (at once when the writer is idle). A request made while
     * another waits replaces it. For SQLite's checkpoint, which can only finish the log while nobody
     * adds to it: see {@link Checkpointer}. Failures are logged, not thrown.
     */
    void betweenCommits(Database.Work<?> work) {
        between.set(work);
        queue.offer(wake); // a full queue needs no wake: the writer is busy and looks before its next batch
    }

    /**
     * Returns once the writer has committed more than {@code seen} transactions ({@link #commits()}),
     * the writer is closed, or the calling thread is interrupted. For one thread at a time: the
     * {@link Checkpointer}, which has nothing to do until something is written.
     */
    void awaitCommitAfter(long seen) {
        commitWaiter = Thread.currentThread();
        try {
            // the writer counts a commit, then reads commitWaiter; this sets commitWaiter, then reads the count,
            // all volatile: a commit in between is seen by one or the other, so no wake-up is lost
            while (commits.get() <= seen && running && !Thread.currentThread().isInterrupted()) {
                LockSupport.park(this);
            }
        } finally {
            commitWaiter = null;
        }
    }

    private void wakeCommitWaiter() {
        Thread waiter = commitWaiter;
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
    }

    private void runBetween() {
        Database.Work<?> work = between.getAndSet(null);
        if (work == null) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            work.run(c);
        } catch (SQLException | RuntimeException e) {
            log.warn("store maintenance between commits failed: {}", e.toString());
        }
    }

    private void run() {
        List<Task<?>> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                runBetween();
                Task<?> first = queue.take();
                if (first == wake) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                batch.removeIf(t -> t == wake);
                if (!runBatch(batch)) {
                    for (Task<?> t : batch) {
                        runBatch(List.of(t));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                log.error("store writer failed; its batch is failed and it goes on", e);
                batch.forEach(t -> t.done().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        queue.forEach(t -> t.done().completeExceptionally(new StoreException("the store is closed")));
    }

    /**
     * Runs the units in one transaction and completes them after the commit. Returns false when a
     * unit of a batch of several threw: nothing was committed and the caller runs them one by one.
     * A single unit's failure completes its future.
     */
    private boolean runBatch(List<Task<?>> batch) {
        List<Object> results = new ArrayList<>(batch.size());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (Task<?> t : batch) {
                    results.add(t.work().run(c));
                }
                c.commit();
                commits.incrementAndGet();
                committedUnits.add(batch.size());
                wakeCommitWaiter();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                if (batch.size() > 1) {
                    return false;
                }
                batch.get(0).done().completeExceptionally(e instanceof RuntimeException re ? re
                        : new StoreException("store statement failed: " + e.getMessage(), e));
                return true;
            }
        } catch (SQLException e) {
            StoreException failure = new StoreException("cannot reach the store: " + e.getMessage(), e);
            batch.forEach(t -> t.done().completeExceptionally(failure));
            return true;
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), results.get(i));
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Task<T> task, Object result) {
        try {
            task.done().complete((T) result);
        } catch (RuntimeException e) {
            log.error("a store write's follow-up failed", e); // the write itself is committed
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    long commits() {
        return commits.get();
    }

    long committedUnits() {
        return committedUnits.sum();
    }

    boolean isRunning() {
        return running && thread.isAlive();
    }

    @Override
    public void close() {
        running = false;
        queue.offer(wake); // a full queue needs none: the writer drains it and then sees it should stop
        wakeCommitWaiter();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
