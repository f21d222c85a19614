package dev.streamhook.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Real PostgreSQL servers with {@code wal_level=logical} for tests: embedded ones, started once per
 * test JVM (the classpath's version, and each version whose binaries Maven copied to
 * {@code target/pg-binaries}), and the machine's own service when {@code STREAMHOOK_TEST_LOCAL_PG}
 * names it as host:port (CI does, after setting it up). Each test gets a fresh database, dropped
 * with its slots by {@link TestDb#close()}.
 */
public final class TestPostgres {

    /** A server tests can use: how to reach it as the superuser. */
    public record Server(String name, String host, int port, String superuser) {
        public TestDb createDatabase() {
            String db = "sh_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), superuser, "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + db);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create test database on " + name, e);
            }
            return new TestDb(this, db);
        }

        /** Drops a role made by a test (roles belong to the whole server, not to a test's database). */
        public void dropRole(String role) {
            try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), superuser, "");
                 Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS " + role);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot drop role " + role + " on " + name, e);
            }
        }

        public String jdbcUrl(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final String DEFAULT = "classpath";
    private static final Path BINARIES = Path.of("target", "pg-binaries");
    private static final Map<String, Server> started = new HashMap<>();

    private TestPostgres() {
    }

    /** The embedded server of the classpath's PostgreSQL version. */
    public static Server embedded() {
        return start(DEFAULT, null);
    }

    /** A plain embedded server, without logical replication, for tests of what happens then. */
    public static EmbeddedPostgres startWithoutLogicalReplication() throws IOException {
        return EmbeddedPostgres.builder().start();
    }

    /**
     * The embedded server of one major version: the classpath's ({@code pg.binaries.version}) or one
     * of the extra majors in target/pg-binaries (14, 16 and 18).
     */
    public static Server major(int major) {
        Server classpath = embedded();
        if (classpath.name().contains("PostgreSQL " + major + ".")) {
            return classpath;
        }
        try (Stream<Path> jars = Files.exists(BINARIES) ? Files.list(BINARIES) : Stream.empty()) {
            Path jar = jars.filter(p -> p.getFileName().toString().matches(".*-" + major + "\\.[0-9.]+\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no embedded PostgreSQL " + major + " in " + BINARIES));
            return start(jar.getFileName().toString(), jar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every server this run tests against: each embedded version, and the machine's when configured. */
    public static List<Server> all() {
        List<Server> servers = new ArrayList<>();
        servers.add(embedded());
        try (Stream<Path> jars = Files.exists(BINARIES) ? Files.list(BINARIES) : Stream.empty()) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jar -> servers.add(start(jar.getFileName().toString(), jar)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String local = System.getenv("STREAMHOOK_TEST_LOCAL_PG");
        if (local != null && !local.isBlank()) {
            String[] hp = local.split(":");
            servers.add(new Server("local service " + serverVersion(hp[0], Integer.parseInt(hp[1])), hp[0], Integer.parseInt(hp[1]), "postgres"));
        }
        return servers;
    }

    /**
     * The servers of a node-level test about the source database's side (what capture, discovery or
     * an edit does there): every one of {@link #all()} on the run of the SQLite store, only the
     * embedded one on the run of the PostgreSQL store. Where StreamHook keeps its own data does not
     * change what a source database of some version does, so each version is tested once per build
     * and the second run does not pay for it again.
     */
    public static List<Server> allOncePerBuild() {
        return StoreBackend.current() == StoreBackend.SQLITE ? all() : List.of(embedded());
    }

    private static synchronized Server start(String key, Path binariesJar) {
        return started.computeIfAbsent(key, k -> {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("wal_level", "logical")
                    // logical decoding streams only flushed WAL; the embedded default (off) delays changes
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig("max_replication_slots", "20");
            if (binariesJar != null) {
                builder.setPgBinaryResolver((system, hardware) -> readArchive(binariesJar, system, hardware));
            }
            EmbeddedPostgres pg;
            try {
                pg = builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL " + key, e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
            return new Server("embedded " + serverVersion("127.0.0.1", pg.getPort()), "127.0.0.1", pg.getPort(), "postgres");
        });
    }

    private static ByteArrayInputStream readArchive(Path jar, String system, String hardware) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            var entry = file.getEntry("postgres-" + system.toLowerCase(java.util.Locale.ROOT) + "-" + hardware + ".txz");
            if (entry == null) {
                throw new IOException(jar + " has no PostgreSQL for " + system + "-" + hardware);
            }
            return new ByteArrayInputStream(file.getInputStream(entry).readAllBytes());
        }
    }

    private static String serverVersion(String host, int port) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", "postgres", "")) {
            return "PostgreSQL " + c.getMetaData().getDatabaseProductVersion();
        } catch (SQLException e) {
            return "PostgreSQL ?";
        }
    }
}
