package dev.streamhook.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Brings the store's schema to this version's, with Flyway. A store that is already there, as on
 * every start but the first after an upgrade, is left alone without starting Flyway: loading and
 * running it cold took a third of a second of each start, spent before capture or delivery runs.
 * The price: Flyway's checks of applied migrations (their checksums) run only when it migrates.
 * Migrations are versioned SQL files only ({@code V<n>__name.sql}, no repeatable or Java ones), so
 * the newest version says all; {@code SchemaTest} holds both.
 */
final class Schema {

    /** The version of the newest migration under {@code db/migration} ({@code SchemaTest} holds this to the files). */
    static final String LATEST = "18";

    private Schema() {
    }

    static void migrate(Dialect dialect, DataSource dataSource) {
        if (!current(dataSource)) {
            Flyway.configure().dataSource(dataSource).locations(dialect.migrationLocations()).load().migrate();
        }
    }

    /**
     * Whether the last migration the store ran is this version's newest, and it succeeded. Flyway's
     * table is looked up in the schema Flyway uses, the connection's own (PostgreSQL's
     * {@code current_schema()}), not through the search path, which could find another one.
     */
    static boolean current(DataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement q = c.createStatement()) {
            String schema = c.getSchema(); // null on SQLite: one schema
            String table = (schema == null ? "" : "\"" + schema.replace("\"", "\"\"") + "\".") + "flyway_schema_history";
            ResultSet rs = q.executeQuery("SELECT version, success FROM " + table + " ORDER BY installed_rank DESC LIMIT 1");
            return rs.next() && LATEST.equals(rs.getString(1)) && rs.getBoolean(2);
        } catch (SQLException e) {
            return false; // a new store, without Flyway's table yet; Flyway says what else is wrong
        }
    }
}
