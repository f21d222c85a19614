package dev.streamhook.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes events past their {@link RetentionPolicy} with their deliveries and attempts, so the
 * store's size stays flat under steady load. An event with a delivery pending or held is never
 * deleted. Each round walks the event log in {@link #BATCH} events at a time, each batch one short
 * write transaction queued with the others, so capture and delivery never wait behind a long
 * delete; the walk goes on from where it stopped and starts again from the oldest event every
 * shortest period (at least a second, at most {@link #RESCAN}), to take events that were pending on
 * an earlier walk and have been sent since. Once a minute it also deletes the per-minute
 * {@link Stats} past their two days.
 *
 * <p>Thread-safety: {@link #start()} and {@link #stop()} are called once each, by Main;
 * {@link #pruneOnce()} runs on the pruner's own thread (or a test's).
 */
public final class Pruner {

    private static final Logger log = LoggerFactory.getLogger(Pruner.class);
    static final int BATCH = 500;
    private static final Duration RESCAN = Duration.ofMinutes(10);
    private final Database db;
    private final RetentionPolicy policy;
    private final Stats stats;
    private long nextStatsPrune;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("pruner").daemon().unstarted(r));
    private final Pass delivered;
    private final Pass failed;
    private final long rescanEvery;
    private long lastRescan;

    public Pruner(Database db, RetentionPolicy policy, Clock clock) {
        this.db = db;
        this.policy = policy;
        this.stats = new Stats(db);
        this.clock = clock;
        this.delivered = new Pass(false, policy.delivered());
        this.failed = new Pass(true, policy.failed());
        this.rescanEvery = policy.shortest().map(p -> Math.clamp(p.toMillis(), 1_000, RESCAN.toMillis())).orElse(RESCAN.toMillis());
        this.lastRescan = clock.millis();
    }

    /** Every quarter of the shortest period, between 100 ms and a minute; every minute when events are kept for ever (for the stats). */
    public void start() {
        long every = policy.shortest().map(shortest -> Math.clamp(shortest.toMillis() / 4, 100L, 60_000L)).orElse(60_000L);
        timer.scheduleWithFixedDelay(this::run, every, every, TimeUnit.MILLISECONDS);
    }

    public void stop() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            if (clock.millis() >= nextStatsPrune) {
                stats.prune(clock.millis());
                nextStatsPrune = clock.millis() + 60_000;
            }
            long deleted = policy.shortest().isPresent() ? pruneOnce() : 0;
            if (deleted > 0) {
                log.debug("pruned {} events past their retention", deleted);
            }
        } catch (RuntimeException e) {
            log.warn("events past their retention could not be pruned; trying again later: {}", e.toString());
        }
    }

    /** One round of both passes; returns the events deleted. */
    public long pruneOnce() {
        long now = clock.millis();
        if (now - lastRescan >= rescanEvery) {
            delivered.position = 0;
            failed.position = 0;
            lastRescan = now;
        }
        return delivered.run(now) + failed.run(now);
    }

    /**
     * A walk of the event log for one rule: events with nothing pending or held that either all
     * succeeded ({@code failedOnes} false, kept for the delivered period) or have a failed delivery
     * (kept for the failed period). Each rule has its own period, so each walks on from its own position.
     */
    private final class Pass {
        private final boolean failedOnes;
        private final Optional<Duration> period;
        long position;

        Pass(boolean failedOnes, Optional<Duration> period) {
            this.failedOnes = failedOnes;
            this.period = period;
        }

        long run(long now) {
            if (period.isEmpty()) {
                return 0;
            }
            long cutoff = now - period.get().toMillis();
            long deleted = 0;
            while (!Thread.currentThread().isInterrupted()) {
                List<Candidate> batch = db.read(c -> candidates(c, position));
                List<Long> expired = new ArrayList<>();
                boolean reachedYoung = batch.size() < BATCH;
                for (Candidate e : batch) {
                    if (e.createdAt() > cutoff) {
                        reachedYoung = true;
                        break;
                    }
                    position = e.seq();
                    if (e.open() == 0 && (e.failed() > 0) == failedOnes) {
                        expired.add(e.seq());
                    }
                }
                if (!expired.isEmpty()) {
                    deleted += db.transaction(c -> delete(c, expired));
                }
                if (reachedYoung) {
                    break;
                }
            }
            return deleted;
        }
    }

    private record Candidate(long seq, long createdAt, int open, int failed) {
    }

    private static List<Candidate> candidates(Connection c, long after) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                SELECT e.seq, e.created_at,
                  (SELECT count(*) FROM deliveries d WHERE d.event_seq = e.seq AND d.status IN ('PENDING', 'HELD')),
                  (SELECT count(*) FROM deliveries d WHERE d.event_seq = e.seq AND d.status = 'FAILED')
                FROM events e WHERE e.seq > ? ORDER BY e.seq LIMIT ?""")) {
            q.setLong(1, after);
            q.setInt(2, BATCH);
            List<Candidate> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Candidate(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getInt(4)));
                }
            }
            return out;
        }
    }

    /**
     * Deletes the events (their deliveries and attempts go with them: ON DELETE CASCADE) unless a
     * delivery became pending since they were read, e.g. by a manual retry. On PostgreSQL their
     * delivery rows are locked first, so a retry committing meanwhile is seen by the check.
     */
    private int delete(Connection c, List<Long> seqs) throws SQLException {
        String marks = String.join(", ", Collections.nCopies(seqs.size(), "?"));
        if (db.dialect() == Dialect.POSTGRESQL) {
            try (PreparedStatement lock = c.prepareStatement("SELECT id FROM deliveries WHERE event_seq IN (" + marks + ")" + db.dialect().lockRows())) {
                bind(lock, seqs);
                lock.executeQuery().close();
            }
        }
        try (PreparedStatement del = c.prepareStatement("DELETE FROM events WHERE seq IN (" + marks + ") AND NOT EXISTS "
                + "(SELECT 1 FROM deliveries d WHERE d.event_seq = events.seq AND d.status IN ('PENDING', 'HELD'))")) {
            bind(del, seqs);
            return del.executeUpdate();
        }
    }

    private static void bind(PreparedStatement st, List<Long> seqs) throws SQLException {
        for (int i = 0; i < seqs.size(); i++) {
            st.setLong(i + 1, seqs.get(i));
        }
    }
}
