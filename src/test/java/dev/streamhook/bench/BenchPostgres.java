package dev.streamhook.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * The user's PostgreSQL of the benchmark: an embedded one (zonky, with the settings logical
 * replication needs, as TestPostgres starts them) or the server of {@code --pg-url}. Each scenario
 * gets a fresh database with the {@code orders} table, dropped with its slots afterwards.
 * {@link #close()} stops the embedded server; a given server is left as it was.
 */
final class BenchPostgres implements AutoCloseable {

    /** One scenario's database. {@link #close()} drops its replication slots and the database. */
    record Db(BenchPostgres server, String name) implements AutoCloseable {
        /** The connection URI StreamHook is given, as a user would paste it. */
        String uri() {
            String auth = server.user + (server.password.isEmpty() ? "" : ":" + server.password);
            return "postgres://" + auth + "@" + server.host + ":" + server.port + "/" + name;
        }

        Connection connect() throws SQLException {
            return server.connect(name, new Properties());
        }

        /** A connection for the replication protocol (the raw read baseline). */
        Connection connectForReplication() throws SQLException {
            Properties p = new Properties();
            p.setProperty("replication", "database");
            p.setProperty("preferQueryMode", "simple");
            p.setProperty("assumeMinServerVersion", "10");
            return server.connect(name, p);
        }

        void execute(String... sql) throws SQLException {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                for (String statement : sql) {
                    s.execute(statement);
                }
            }
        }

        @Override
        public void close() throws SQLException, InterruptedException {
            try (Connection c = server.connect(server.maintenanceDb, new Properties()); Statement s = c.createStatement()) {
                for (int attempt = 0; ; attempt++) {
                    try {
                        s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '" + name + "' AND active_pid IS NOT NULL");
                        s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '" + name + "'");
                        break;
                    } catch (SQLException stillActive) {
                        if (attempt == 50) {
                            throw stillActive;
                        }
                        Thread.sleep(100);
                    }
                }
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    private final EmbeddedPostgres embedded;
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String maintenanceDb;

    private BenchPostgres(EmbeddedPostgres embedded, String host, int port, String user, String password, String maintenanceDb) {
        this.embedded = embedded;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.maintenanceDb = maintenanceDb;
    }

    static BenchPostgres embedded() throws IOException {
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("wal_level", "logical")
                // logical decoding streams only flushed WAL; the embedded default (off) would delay changes
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_wal_senders", "20")
                .setServerConfig("max_replication_slots", "20")
                // fewer checkpoints while a big backlog is written, as a production server would be tuned
                .setServerConfig("max_wal_size", "4GB")
                .start();
        return new BenchPostgres(pg, "127.0.0.1", pg.getPort(), "postgres", "", "postgres");
    }

    /** A given server, as {@code postgres://user[:password]@host[:port]/database}; the role must create databases and replicate. */
    static BenchPostgres external(String url) {
        URI uri = URI.create(url.replaceFirst("^postgresql://", "postgres://"));
        if (!"postgres".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("--pg-url must look like postgres://user:password@host:5432/postgres, got " + url);
        }
        String info = uri.getRawUserInfo() == null ? "postgres" : uri.getRawUserInfo();
        String user = URLDecoder.decode(info.split(":", 2)[0], StandardCharsets.UTF_8);
        String password = info.contains(":") ? URLDecoder.decode(info.split(":", 2)[1], StandardCharsets.UTF_8) : "";
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        return new BenchPostgres(null, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user, password, db);
    }

    Connection connect(String database, Properties extra) throws SQLException {
        Properties p = new Properties();
        p.putAll(extra);
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, p);
    }

    /** A fresh database with the benchmark's table. */
    Db createDatabase() throws SQLException {
        String name = "sh_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = connect(maintenanceDb, new Properties()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        Db db = new Db(this, name);
        db.execute(LoadDriver.CREATE_TABLE);
        return db;
    }

    /** Version and the settings that shape the figures, for the report. */
    Map<String, String> describe() throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("where", embedded != null ? "embedded (zonky) on 127.0.0.1" : "given by --pg-url (" + host + ":" + port + ")");
        try (Connection c = connect(maintenanceDb, new Properties()); Statement s = c.createStatement()) {
            for (String setting : new String[] {"server_version", "wal_level", "synchronous_commit", "fsync", "shared_buffers", "max_wal_size"}) {
                var rs = s.executeQuery("SHOW " + setting);
                rs.next();
                out.put(setting, rs.getString(1));
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
