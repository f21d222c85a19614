package dev.streamhook.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.streamhook.config.StoreUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The store: the embedded SQLite file in the data directory (the default), or a PostgreSQL
 * database when {@code STREAMHOOK_DATABASE_URL} names one. Same schema (Flyway migrations), same
 * statements; what differs lives in {@link Dialect}.
 *
 * <p>Writes go through one {@link GroupCommitWriter}, which runs the units queued meanwhile in one
 * transaction; reads use a pool of their own connections (SQLite in WAL mode lets them run beside
 * the writer). Correctness does not rest on this node being alone: write transactions on SQLite
 * begin IMMEDIATE (one writer per file), and on PostgreSQL whatever must be exclusive locks its rows.
 * What the store {@link #signals() signals} after a commit reaches the other nodes on a PostgreSQL
 * store too ({@link PostgresSignalRelay}); several nodes on one SQLite file hear only their own.
 *
 * <p>Thread-safety: every method may be called from any thread. {@link #close()} is called once, by
 * Main, after capture and delivery stopped; it lets queued writes finish.
 */
public final class Database implements AutoCloseable {

    /** One unit of work against the store; runs inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * SQLite's page cache per connection (outside the Java heap). The default 2 MiB made writes
     * slower with a backlog of 1,000,000 deliveries (index pages fell out of the cache); the writer
     * touches every index, the readers mostly the lane index.
     */
    private static final int WRITER_CACHE_KIB = 32 * 1024;
    private static final int READER_CACHE_KIB = 4 * 1024;
    /** Bytes SQLite cuts its log file back to once it starts the log over (it keeps the largest size otherwise). */
    static final int JOURNAL_SIZE_LIMIT = 16 << 20;

    private final Dialect dialect;
    private final HikariDataSource reads;
    private final HikariDataSource writes;
    private final GroupCommitWriter writer;
    /** SQLite only: checkpoints its log off the writer's commits; null on PostgreSQL. */
    private final Checkpointer checkpointer;
    private final StoreSignals signals = new StoreSignals();
    /** PostgreSQL only: this node's signals to the others sharing the store, and theirs to it; null on SQLite. */
    private PostgresSignalRelay relay;

    /** {@code checkpoints} and {@code logFile}: SQLite's connection for the {@link Checkpointer} and its log, null on PostgreSQL. */
    private Database(Dialect dialect, HikariDataSource reads, HikariDataSource writes, DataSource checkpoints, Path logFile) {
        this.dialect = dialect;
        this.reads = reads;
        this.writes = writes;
        this.writer = new GroupCommitWriter(writes, "store-writer");
        this.checkpointer = checkpoints == null ? null : new Checkpointer(checkpoints, logFile, writer);
    }

    /** The PostgreSQL store at {@code url} when given, else the embedded one in {@code dataDir}. */
    public static Database open(Optional<StoreUrl> url, Path dataDir) {
        return url.map(Database::openPostgres).orElseGet(() -> openEmbedded(dataDir));
    }

    public static Database openEmbedded(Path dataDir) {
        Path file = dataDir.resolve("streamhook.db");
        try {
            OwnerOnly.createDirectories(dataDir);
            OwnerOnly.createFile(file); // SQLite gives its -wal and -shm files the permissions of this one
        } catch (Exception e) {
            throw new StoreException("cannot create the data directory " + dataDir + " (STREAMHOOK_DATA_DIR): " + e.getMessage(), e);
        }
        String url = "jdbc:sqlite:" + file;
        Schema.migrate(Dialect.SQLITE, sqlite(url, SQLiteConfig.TransactionMode.IMMEDIATE, READER_CACHE_KIB));
        SQLiteConfig writer = config(SQLiteConfig.TransactionMode.IMMEDIATE, WRITER_CACHE_KIB);
        writer.setWalAutocheckpoint(0); // the Checkpointer's job, off the commits
        writer.setJournalSizeLimit(JOURNAL_SIZE_LIMIT);
        HikariDataSource writes = pool("store-writes", new StatementReusingDataSource(writer, url), 1);
        HikariDataSource reads = pool("store-reads",
                new StatementReusingDataSource(config(SQLiteConfig.TransactionMode.DEFERRED, READER_CACHE_KIB), url), 4);
        return new Database(Dialect.SQLITE, reads, writes, sqlite(url, SQLiteConfig.TransactionMode.DEFERRED, 1024),
                dataDir.resolve("streamhook.db-wal"));
    }

    public static Database openPostgres(StoreUrl url) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("store-reads");
        config.setJdbcUrl(url.jdbcUrl());
        config.setUsername(url.user());
        config.setPassword(url.password());
        config.setMaximumPoolSize(8);
        config.setInitializationFailTimeout(10_000);
        HikariDataSource reads;
        HikariDataSource writes;
        try {
            reads = new HikariDataSource(config);
            HikariConfig writer = new HikariConfig();
            config.copyStateTo(writer);
            writer.setPoolName("store-writes");
            writer.setMaximumPoolSize(1); // the group-commit writer's own: it never waits behind reads for a connection
            // a group's events go to the server as multi-row INSERTs, not one statement each: the server's
            // cost per statement was most of what storing an event cost it
            writer.addDataSourceProperty("reWriteBatchedInserts", "true");
            writes = new HikariDataSource(writer);
        } catch (RuntimeException e) {
            throw new StoreException("cannot reach the PostgreSQL store " + url + " (STREAMHOOK_DATABASE_URL): " + rootMessage(e), e);
        }
        Schema.migrate(Dialect.POSTGRESQL, reads); // Flyway holds two connections at once (its lock and the migration)
        Database db = new Database(Dialect.POSTGRESQL, reads, writes, null, null);
        db.relay = new PostgresSignalRelay(url, db.signals);
        db.signals.relayTo(db.relay);
        return db;
    }

    private static SQLiteDataSource sqlite(String url, SQLiteConfig.TransactionMode mode, int cacheKib) {
        SQLiteDataSource dataSource = new SQLiteDataSource(config(mode, cacheKib));
        dataSource.setUrl(url);
        return dataSource;
    }

    private static SQLiteConfig config(SQLiteConfig.TransactionMode mode, int cacheKib) {
        SQLiteConfig config = new SQLiteConfig();
        config.setCacheSize(-cacheKib); // negative: KiB, not pages
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL); // a commit is on disk before capture confirms its LSN
        config.enforceForeignKeys(true);
        config.setBusyTimeout(10_000);
        config.setTransactionMode(mode);
        // else every INSERT prepares and runs a "SELECT last_insert_rowid()" of its own; nothing here asks for the keys
        config.setGetGeneratedKeys(false);
        return config;
    }

    private static HikariDataSource pool(String name, DataSource dataSource, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setDataSource(dataSource);
        config.setMaximumPoolSize(size);
        return new HikariDataSource(config);
    }

    /** Whether this node hears the other nodes' signals now: on PostgreSQL, once its relay listens. */
    boolean hearsOtherNodes() {
        return relay != null && relay.listening();
    }

    public Dialect dialect() {
        return dialect;
    }

    /** What the store announces after its commits. */
    public StoreSignals signals() {
        return signals;
    }

    /** Write transactions this node committed since it started. */
    public long commits() {
        return writer.commits();
    }

    /** Units of work ({@link #submit}, {@link #transaction}) in those transactions: divided by {@link #commits}, how much each grouped. */
    public long committedUnits() {
        return writer.committedUnits();
    }

    /** Queues {@code work} for the next group commit; the future completes after that commit. */
    public <T> CompletableFuture<T> submit(Work<T> work) {
        return writer.submit(work);
    }

    /** Runs {@code work} in a write transaction (shared with whatever else is queued) and waits for its commit. */
    public <T> T transaction(Work<T> work) {
        try {
            return writer.submit(work).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new StoreException("store write failed: " + e.getCause(), e.getCause());
        }
    }

    /** Runs {@code work} on a read connection, in one read transaction, beside the writer. */
    public <T> T read(Work<T> work) {
        try (Connection c = reads.getConnection()) {
            c.setAutoCommit(false);
            try {
                return work.run(c);
            } finally {
                c.rollback(); // a read changed nothing; this ends the snapshot
            }
        } catch (SQLException e) {
            throw new StoreException("store read failed: " + e.getMessage(), e);
        }
    }

    /** Runs one INSERT, UPDATE or DELETE in a write transaction; returns the rows it changed. */
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

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /**
     * Bytes the store takes: SQLite, its file's pages (freed ones included: the file does not
     * shrink); PostgreSQL, StreamHook's tables with their indexes and TOAST.
     */
    public long sizeBytes() {
        String sql = dialect == Dialect.SQLITE
                ? "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
                : "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                  + "WHERE n.nspname = current_schema() AND c.relkind = 'r'";
        return read(c -> {
            try (PreparedStatement q = c.prepareStatement(sql); java.sql.ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** Empty while the store takes reads and writes; else why not, for the node's health. */
    public Optional<String> problem() {
        if (!writer.isRunning()) {
            return Optional.of("the store writer is stopped");
        }
        try (Connection c = reads.getConnection(); PreparedStatement q = c.prepareStatement("SELECT 1")) {
            q.executeQuery().close();
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of("the store cannot be read: " + rootMessage(e));
        }
    }

    @Override
    public void close() {
        writer.close();
        if (relay != null) {
            relay.close();
        }
        if (checkpointer != null) {
            checkpointer.close();
        }
        reads.close();
        if (writes != reads) {
            writes.close();
        }
    }
}
