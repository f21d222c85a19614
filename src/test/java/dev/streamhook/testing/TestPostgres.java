package dev.streamhook.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A real PostgreSQL with {@code wal_level=logical} for tests: an embedded one started once per test
 * JVM, or the machine's own service when {@code STREAMHOOK_TEST_LOCAL_PG} names it (CI does, after
 * setting it up). Each test gets a fresh database, dropped with its slots by {@link TestDb#close()}.
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

        public String jdbcUrl(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static EmbeddedPostgres embedded;

    private TestPostgres() {
    }

    /** The embedded server (started on first use, stopped when the JVM exits). */
    public static synchronized Server embedded() {
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder()
                        .setServerConfig("wal_level", "logical")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("max_wal_senders", "20")
                        .setServerConfig("max_replication_slots", "20")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return new Server("embedded PostgreSQL " + serverVersion(embedded.getPort()), "127.0.0.1", embedded.getPort(), "postgres");
    }

    /** Every server this run tests against: the embedded one, and the machine's when configured. */
    public static List<Server> all() {
        List<Server> servers = new ArrayList<>();
        servers.add(embedded());
        String local = System.getenv("STREAMHOOK_TEST_LOCAL_PG");
        if (local != null && !local.isBlank()) {
            // host:port of the machine's service, superuser postgres with trust auth
            String[] hp = local.split(":");
            servers.add(new Server("local PostgreSQL service " + hp[0] + ":" + hp[1], hp[0], Integer.parseInt(hp[1]), "postgres"));
        }
        return servers;
    }

    private static String serverVersion(int port) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "")) {
            return c.getMetaData().getDatabaseProductVersion().toLowerCase(Locale.ROOT);
        } catch (SQLException e) {
            return "?";
        }
    }
}
