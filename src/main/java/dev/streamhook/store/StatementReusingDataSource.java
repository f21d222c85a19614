package dev.streamhook.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;
import org.sqlite.jdbc4.JDBC4Connection;
import org.sqlite.jdbc4.JDBC4PreparedStatement;

/**
 * SQLite connections that keep their prepared statements for the next {@code prepareStatement} of
 * the same SQL. Neither sqlite-jdbc nor HikariCP caches statements (PgJDBC does, on the server), and
 * at a trickle of events preparing every statement afresh was a fifth of the store writer's CPU and
 * of the lanes' page reads: a backlog prepares once per group of events, a trickle once per event.
 *
 * <p>Closing a statement of such a connection resets it and keeps it; the connection finalizes what
 * it keeps when it closes. The reset is what makes keeping safe: a query stopped before its last
 * row and not reset would keep its read snapshot, and SQLite cannot checkpoint its log past the
 * oldest snapshot a connection holds. A statement is lent to one user at a time: the same SQL
 * prepared again while the first is open gets a statement of its own.
 *
 * <p>Thread-safety: as any JDBC connection, one thread at a time (the pool lends it so).
 */
final class StatementReusingDataSource extends SQLiteDataSource {

    /** Statements a connection keeps: the store runs a few dozen distinct ones. */
    static final int KEPT_PER_CONNECTION = 64;
    /**
     * Statements with more parameters are not kept: they are built for one use (an IN list of ids),
     * and keeping them would push out the ones that run for every event.
     */
    static final int MAX_KEPT_PARAMETERS = 32;
    /** Parameter slots a kept statement's batch may keep; a larger one (a backlog's group) is dropped. */
    private static final int MAX_KEPT_BATCH_SLOTS = 4_096;

    StatementReusingDataSource(SQLiteConfig config, String url) {
        super(config);
        setUrl(url);
    }

    @Override
    public SQLiteConnection getConnection(String username, String password) throws SQLException {
        return new Connection(getUrl(), getUrl().substring("jdbc:sqlite:".length()), getConfig().toProperties());
    }

    /** A connection keeping its closed statements by SQL, the least recently used dropped beyond {@link #KEPT_PER_CONNECTION}. */
    static final class Connection extends JDBC4Connection {
        private final Map<String, Statement> kept = new LinkedHashMap<>(32, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Statement> eldest) {
                if (size() <= KEPT_PER_CONNECTION) {
                    return false;
                }
                eldest.getValue().finish();
                return true;
            }
        };
        private long prepared;

        Connection(String url, String fileName, java.util.Properties properties) throws SQLException {
            super(url, fileName, properties);
        }

        @Override
        public synchronized PreparedStatement prepareStatement(String sql) throws SQLException {
            Statement st = kept.remove(sql);
            if (st == null) {
                st = new Statement(this, sql);
                prepared++;
            }
            st.lent = true;
            return st;
        }

        /** Statements this connection prepared (not taken from what it kept): what the tests see of reuse. */
        synchronized long prepared() {
            return prepared;
        }

        synchronized void keep(Statement st) throws SQLException {
            if (isClosed() || kept.putIfAbsent(st.sql(), st) != null) {
                st.finish(); // the connection is gone, or the same SQL was open twice and one copy is kept already
            }
        }

        @Override
        public void close() throws SQLException {
            synchronized (this) {
                kept.clear(); // finalized by the connection's own close, with every statement it prepared
            }
            super.close();
        }
    }

    /** A statement whose {@code close()} gives it back to its connection, reset and with its parameters cleared. */
    static final class Statement extends JDBC4PreparedStatement {
        private final Connection owner;
        private boolean lent;

        Statement(Connection owner, String sql) throws SQLException {
            super(owner, sql);
            this.owner = owner;
        }

        String sql() {
            return sql;
        }

        @Override
        public void close() throws SQLException {
            if (!lent) {
                return;
            }
            lent = false;
            if (pointer.isClosed() || conn.isClosed()) {
                return;
            }
            if (paramCount > MAX_KEPT_PARAMETERS) {
                finish();
                return;
            }
            try {
                rs.close(); // resets the statement when a result set was open
                pointer.safeRunConsume((db, ptr) -> db.reset(ptr)); // and when none was: a query without rows read
                clearParameters();
                clearBatch(); // drops what the parameters referred to (event bodies)
                if (batch != null && batch.length > MAX_KEPT_BATCH_SLOTS) {
                    batch = null; // a backlog's batch of thousands of rows; the next use allocates what it needs
                }
            } catch (SQLException | RuntimeException e) {
                finish();
                throw e;
            }
            owner.keep(this);
        }

        @Override
        public boolean isClosed() {
            return !lent || super.isClosed();
        }

        /** Finalizes the statement for good. */
        void finish() {
            lent = false;
            try {
                super.close();
            } catch (SQLException e) {
                // its connection is closing: it finalizes the statement itself
            }
        }
    }
}
