package dev.streamhook.bench.jmh;

import dev.streamhook.config.StoreUrl;
import dev.streamhook.event.Lsn;
import dev.streamhook.store.Accounts;
import dev.streamhook.store.Database;
import dev.streamhook.store.Destinations;
import dev.streamhook.store.SecretBox;
import dev.streamhook.store.Sources;
import dev.streamhook.testing.StoreBackend;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;

/**
 * A fresh store for a store benchmark, as a node opens it: the embedded SQLite file in a temporary
 * data directory, or a fresh database on an embedded PostgreSQL started once per forked JVM. That
 * server is not {@link TestPostgres#embedded()}: zonky starts PostgreSQL with {@code fsync=off},
 * under which a commit costs no flush, while the SQLite store flushes every commit
 * ({@code synchronous=FULL}) and a production PostgreSQL has {@code fsync=on}; this one has it on.
 * It holds one account, one source ({@link Fixtures#SOURCE_ID}) and one destination
 * ({@link #DESTINATION_ID}). {@link #connect()} gives a plain JDBC connection to the same store,
 * configured as the store configures its own (WAL and synchronous=FULL on SQLite), for baselines
 * and bulk loading. {@link #close()} closes the store and deletes its files or database.
 */
final class BenchStore implements AutoCloseable {

    static final String DESTINATION_ID = "dst_bench";

    static {
        // HikariCP announces every pool start and stop at INFO, in the middle of JMH's iteration lines
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("com.zaxxer.hikari")).setLevel(ch.qos.logback.classic.Level.WARN);
    }

    private final Path dataDir;
    private final TestDb postgres;
    private final Database db;

    private BenchStore(Path dataDir, TestDb postgres, Database db) {
        this.dataDir = dataDir;
        this.postgres = postgres;
        this.db = db;
    }

    static BenchStore open(StoreBackend backend) {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("streamhook-jmh-store-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestDb postgres = backend == StoreBackend.POSTGRESQL ? durablePostgres().createDatabase() : null;
        Database db = postgres == null ? Database.openEmbedded(dataDir)
                : Database.openPostgres(StoreUrl.parse("STREAMHOOK_DATABASE_URL", postgres.uri()));
        BenchStore store = new BenchStore(dataDir, postgres, db);
        store.createSourceAndDestination();
        return store;
    }

    private static TestPostgres.Server durable;

    private static synchronized TestPostgres.Server durablePostgres() {
        if (durable == null) {
            EmbeddedPostgres pg;
            try {
                pg = EmbeddedPostgres.builder().setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
            durable = new TestPostgres.Server("embedded, fsync=on", "127.0.0.1", pg.getPort(), "postgres");
            try (Connection c = DriverManager.getConnection(durable.jdbcUrl("postgres"), "postgres", "");
                 var rs = c.createStatement().executeQuery("SHOW fsync")) {
                if (!rs.next() || !rs.getString(1).equals("on")) {
                    throw new IllegalStateException("the benchmark PostgreSQL runs without fsync");
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot reach the benchmark PostgreSQL", e);
            }
        }
        return durable;
    }

    private void createSourceAndDestination() {
        SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
        String account = new Accounts(db).create("bench@example.com").orElseThrow().account().id();
        new Sources(db, secrets).insert(new Sources.Source(Fixtures.SOURCE_ID, account, "bench", "postgresql",
                "postgres://u:pw@127.0.0.1/" + Fixtures.DATABASE, Fixtures.DATABASE, List.of("public.orders"), "slot", "pub",
                Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
        new Destinations(db, secrets).upsert(new Destinations.Destination(DESTINATION_ID, Fixtures.SOURCE_ID,
                "https://127.0.0.1:1/webhook", Fixtures.SECRET, null, Map.of(), null, 0));
    }

    Database db() {
        return db;
    }

    /** A plain JDBC connection to the store, in autocommit mode; the caller closes it. */
    Connection connect() throws SQLException {
        if (postgres != null) {
            return postgres.connect();
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("streamhook.db"), config.toProperties());
    }

    @Override
    public void close() {
        db.close();
        if (postgres != null) {
            postgres.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
