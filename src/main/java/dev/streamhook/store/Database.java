package dev.streamhook.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteDataSource;

/**
 * The embedded store: one SQLite file in the data directory, in WAL mode, migrated by Flyway.
 *
 * <p>Thread-safety: every unit of work runs on one connection under one lock, each in its own
 * transaction. SQLite allows a single writer anyway; serialising here turns "database is locked"
 * into waiting, and keeps a unit of work atomic. {@link #close()} is called once, by Main, after
 * capture and delivery stopped.
 */
public final class Database implements AutoCloseable {

    /** One unit of work against the store; runs inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();

    private Database(Connection connection) {
        this.connection = connection;
    }

    public static Database openEmbedded(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (Exception e) {
            throw new StoreException("cannot create the data directory " + dataDir + " (STREAMHOOK_DATA_DIR): " + e.getMessage(), e);
        }
        String url = "jdbc:sqlite:" + dataDir.resolve("streamhook.db");
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl(url);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        try {
            Connection c = DriverManager.getConnection(url);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=10000");
            }
            c.setAutoCommit(false);
            return new Database(c);
        } catch (SQLException e) {
            throw new StoreException("cannot open the store at " + url + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T transaction(Work<T> work) {
        lock.lock();
        try {
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(e);
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                throw new StoreException("store statement failed: " + e.getMessage(), e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Runs one INSERT, UPDATE or DELETE in its own transaction; returns the rows it changed. */
    public int update(String sql, Object... params) {
        return transaction(c -> {
            try (PreparedStatement st = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    st.setObject(i + 1, params[i]);
                }
                return st.executeUpdate();
            }
        });
    }

    private void rollbackQuietly(Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing at shutdown; nothing is pending because every unit of work committed or rolled back
        } finally {
            lock.unlock();
        }
    }
}
