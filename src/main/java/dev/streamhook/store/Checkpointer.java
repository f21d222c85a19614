package dev.streamhook.store;

import java.sql.Connection;
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
 * <p>Thread-safety: started by {@link Database} and closed by it, before its connections.
 */
final class Checkpointer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);
    private static final long EVERY_MILLIS = 1_000;

    private final DataSource dataSource;
    private final Thread thread;
    private volatile boolean running = true;

    Checkpointer(DataSource dataSource) {
        this.dataSource = dataSource;
        this.thread = Thread.ofPlatform().name("store-checkpoint").daemon().start(this::run);
    }

    private void run() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            while (running) {
                try {
                    Thread.sleep(EVERY_MILLIS);
                } catch (InterruptedException e) {
                    break;
                }
                try {
                    s.execute("PRAGMA wal_checkpoint(PASSIVE)");
                } catch (SQLException e) {
                    log.warn("the store's write-ahead log could not be checkpointed; trying again in a second: {}", e.getMessage());
                }
            }
        } catch (SQLException e) {
            log.error("the store's checkpoint thread cannot open its connection; SQLite's log grows until restart", e);
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
