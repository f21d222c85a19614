package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** The embedded store's connections keep their statements: prepared once, reset when closed, never holding the log back. */
class StatementReusingDataSourceTest {

    @TempDir
    Path dir;
    private StatementReusingDataSource store;

    @BeforeEach
    void aTableOfTenRows() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setGetGeneratedKeys(false);
        store = new StatementReusingDataSource(config, "jdbc:sqlite:" + dir.resolve("t.db"));
        try (Connection c = store.getConnection(); Statement st = c.createStatement()) {
            st.execute("PRAGMA wal_autocheckpoint = 0"); // the test checkpoints itself
            st.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, label TEXT)");
            st.execute("WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 10) INSERT INTO t SELECT n, 'row ' || n FROM s");
        }
    }

    @Test
    void aStatementClosedIsPreparedOnceAndRunsAgainWithItsNewParameters() throws SQLException {
        try (Connection c = store.getConnection()) {
            assertThat(label(c, 3)).isEqualTo("row 3");
            assertThat(label(c, 7)).isEqualTo("row 7");
            assertThat(label(c, 42)).isNull();
            assertThat(((StatementReusingDataSource.Connection) c).prepared()).isEqualTo(1);
        }
    }

    @Test
    void theSameSqlOpenTwiceAtOnceGetsTwoStatements() throws SQLException {
        try (Connection c = store.getConnection();
             PreparedStatement outer = c.prepareStatement("SELECT label FROM t WHERE n >= ? ORDER BY n");
             PreparedStatement inner = c.prepareStatement("SELECT label FROM t WHERE n >= ? ORDER BY n")) {
            outer.setInt(1, 2);
            inner.setInt(1, 9);
            ResultSet a = outer.executeQuery();
            ResultSet b = inner.executeQuery();
            assertThat(a.next()).isTrue();
            assertThat(b.next()).isTrue();
            assertThat(a.getString(1)).isEqualTo("row 2");
            assertThat(b.getString(1)).isEqualTo("row 9");
        }
    }

    @Test
    void aQueryClosedBeforeItsLastRowDoesNotKeepTheLogFromBeingCheckpointed() throws SQLException {
        try (Connection reader = store.getConnection(); Connection writer = store.getConnection(); Connection checkpoints = store.getConnection()) {
            try (PreparedStatement q = reader.prepareStatement("SELECT label FROM t ORDER BY n")) {
                ResultSet rs = q.executeQuery();
                assertThat(rs.next()).isTrue(); // nine rows left unread, the result set not closed: the statement is kept
            }
            try (Statement st = writer.createStatement()) {
                st.executeUpdate("UPDATE t SET label = label || '!'");
            }
            try (Statement st = checkpoints.createStatement(); ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
                rs.next();
                assertThat(rs.getInt(1)).as("busy").isZero();
                assertThat(rs.getInt(3)).as("frames copied into the file").isEqualTo(rs.getInt(2));
            }
        }
    }

    @Test
    void aConnectionKeepsABoundedNumberOfStatements() throws SQLException {
        try (Connection c = store.getConnection()) {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i <= StatementReusingDataSource.KEPT_PER_CONNECTION; i++) {
                    try (PreparedStatement q = c.prepareStatement("SELECT " + i + " FROM t WHERE n = ?")) {
                        q.setInt(1, 1);
                        q.executeQuery().close();
                    }
                }
            }
            // one more distinct statement than it keeps, in the same order twice: the oldest was always dropped
            assertThat(((StatementReusingDataSource.Connection) c).prepared()).isEqualTo(2L * (StatementReusingDataSource.KEPT_PER_CONNECTION + 1));
        }
    }

    @Test
    void aStatementBuiltWithManyParametersForOneUseIsNotKept() throws SQLException {
        String manyIds = "SELECT label FROM t WHERE n IN (" + String.join(",", java.util.Collections.nCopies(40, "?")) + ")";
        try (Connection c = store.getConnection()) {
            for (int round = 0; round < 2; round++) {
                try (PreparedStatement q = c.prepareStatement(manyIds)) {
                    for (int i = 1; i <= 40; i++) {
                        q.setInt(i, i);
                    }
                    q.executeQuery().close();
                }
            }
            assertThat(((StatementReusingDataSource.Connection) c).prepared()).isEqualTo(2);
        }
    }

    private static String label(Connection c, int n) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT label FROM t WHERE n = ?")) {
            q.setInt(1, n);
            ResultSet rs = q.executeQuery();
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
