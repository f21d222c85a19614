package dev.streamhook.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the SQLite store's write-ahead log into its database file from a thread of its own, once a
 * second, with a {@code PASSIVE} checkpoint (it never blocks a writer or a reader). SQLite would
 * otherwise run that checkpoint inside whichever commit crossed 1,000 log pages, so every few seconds
 * under load one of the group commits also wrote megabytes and synced the database file, and every
 * event waiting for that commit arrived late (stalls of 100-600 ms at 200 events/s). The writer's
 * connection has its automatic checkpoint turned off; commits still sync the log, so a committed
 * write is on disk either way.
 *
 * <p>A checkpoint beside a busy writer copies the log but cannot finish it: by the time it reaches
 * the end, the writer has added more, and SQLite starts the log over from its beginning only after a
 * checkpoint that copied all of it while no reader still used it. Under a backlog the log then grew
 * for as long as the backlog lasted (350 MB for 100,000 events beside a 136 MB database). So every
 * {@value #LOOK_EVERY_MILLIS} ms this thread looks at the log file's size, and once it passes
 * {@value #FINISH_AT_BYTES} bytes asks the writer to run a {@code RESTART} checkpoint between two of
 * its commits ({@link GroupCommitWriter#betweenCommits}): nothing is added while it runs, and it
 * waits (the busy timeout) only for the reads in progress to end, so the next commit starts the log
 * over and SQLite cuts the file back to {@link Database}'s journal size limit. That pause in writing
 * comes once per few seconds of a backlog, never at a steady low rate, whose log the passive
 * checkpoints keep short.
 *
 * <p>Once a passive checkpoint has copied the whole log and nothing was committed since, the thread
 * waits for the writer's next commit ({@link GroupCommitWriter#awaitCommitAfter}) instead of looking
 * again: an idle store costs no CPU.
 *
 * <p>Thread-safety: started by {@link Database} and closed by it, before its connections.
 */
final class Checkpointer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);
    private static final long EVERY_MILLIS = 1_000;
    private static final long LOOK_EVERY_MILLIS = 100;
    /** Twice the journal size limit: a log that grew past this since it was last cut back is not being started over. */
    static final long FINISH_AT_BYTES = 2L * Database.JOURNAL_SIZE_LIMIT;

    private final DataSource dataSource;
    private final Path logFile;
    private final GroupCommitWriter writer;
    private final Thread thread;
    private volatile boolean running = true;

    Checkpointer(DataSource dataSource, Path logFile, GroupCommitWriter writer) {
        this.dataSource = dataSource;
        this.logFile = logFile;
        this.writer = writer;
        this.thread = Thread.ofPlatform().name("store-checkpoint").daemon().start(this::run);
    }

    private void run() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            long nextPassive = System.currentTimeMillis() + EVERY_MILLIS;
            long nextFinish = 0;
            long copiedUpTo = -1; // commits whose pages a passive checkpoint has copied in full; -1 before the first
            while (running) {
                if (writer.commits() == copiedUpTo) {
                    writer.awaitCommitAfter(copiedUpTo);
                    nextPassive = System.currentTimeMillis() + EVERY_MILLIS; // the commit that woke it goes with the next second's
                }
                try {
                    Thread.sleep(LOOK_EVERY_MILLIS);
                } catch (InterruptedException e) {
                    break;
                }
                long now = System.currentTimeMillis();
                if (now >= nextFinish && logBytes() > FINISH_AT_BYTES) {
                    nextFinish = now + 2 * LOOK_EVERY_MILLIS; // the file stays long until the next commit cuts it back
                    writer.betweenCommits(w -> {
                        try (Statement finish = w.createStatement()) {
                            finish.execute("PRAGMA wal_checkpoint(RESTART)");
                        }
                        return null;
                    });
                }
                if (now >= nextPassive) {
                    nextPassive = now + EVERY_MILLIS;
                    long commits = writer.commits();
                    try (ResultSet r = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
                        // its row: busy, frames in the log, frames copied; all copied means nothing is left until the next commit
                        if (r.next() && r.getInt(1) == 0 && r.getInt(3) == r.getInt(2)) {
                            copiedUpTo = commits;
                        }
                    } catch (SQLException e) {
                        log.warn("the store's write-ahead log could not be checkpointed; trying again in a second: {}", e.getMessage());
                    }
                }
            }
        } catch (SQLException e) {
            log.error("the store's checkpoint thread cannot open its connection; SQLite's log grows until restart", e);
        }
    }

    private long logBytes() {
        try {
            return Files.size(logFile);
        } catch (IOException e) {
            return 0; // no log yet, or unreadable: looked at again in a moment; the passive checkpoints go on meanwhile
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
