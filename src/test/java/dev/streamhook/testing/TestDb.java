package dev.streamhook.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A throwaway database on a test server; {@link #close()} drops its replication slots and itself. */
public record TestDb(TestPostgres.Server server, String name) implements AutoCloseable {

    /** The connection URI a user would paste, for the superuser. */
    public String uri() {
        return uri(server.superuser(), null);
    }

    public String uri(String user, String password) {
        return "postgres://" + user + (password == null ? "" : ":" + password) + "@" + server.host() + ":" + server.port() + "/" + name;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(name), server.superuser(), "");
    }

    /** Runs statements as the superuser. */
    public void execute(String... sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test SQL failed: " + e.getMessage(), e);
        }
    }

    public long slotCount(String slotName) throws SQLException {
        return count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?", slotName);
    }

    public long publicationCount(String publication) throws SQLException {
        return count("SELECT count(*) FROM pg_publication WHERE pubname = ?", publication);
    }

    /** The server's current WAL write position, in bytes ({@code pg_current_wal_lsn()}). */
    public long walPosition() throws SQLException {
        try (Connection c = connect(); var q = c.createStatement()) {
            var rs = q.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn");
            rs.next();
            return rs.getLong(1);
        }
    }

    private long count(String sql, String param) throws SQLException {
        try (Connection c = connect(); var q = c.prepareStatement(sql)) {
            q.setString(1, param);
            var rs = q.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Drops a slot as an operator would by hand: ends the walsender holding it, then drops it,
     * again until it is gone (capture reconnects within a second).
     */
    public void dropSlotByHand(String slot) throws SQLException, InterruptedException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (int attempt = 0; slotCount(slot) > 0; attempt++) {
                try {
                    s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot
                            + "' AND active_pid IS NOT NULL");
                    s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
                } catch (SQLException stillActive) {
                    if (attempt == 100) {
                        throw stillActive;
                    }
                    Thread.sleep(20);
                }
            }
        }
    }

    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres"), server.superuser(), "");
             Statement s = c.createStatement()) {
            for (int attempt = 0; ; attempt++) {
                try {
                    s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '" + name + "' AND active_pid IS NOT NULL");
                    s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '" + name + "'");
                    break;
                } catch (SQLException slotStillActive) {
                    if (attempt == 50) {
                        throw slotStillActive;
                    }
                    Thread.sleep(100);
                }
            }
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException("cannot drop test database " + name, e);
        }
    }
}
