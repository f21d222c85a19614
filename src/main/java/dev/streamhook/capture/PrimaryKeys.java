package dev.streamhook.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The primary-key columns of a captured table, read from the source's catalog. Only asked for
 * tables whose Relation message cannot tell the key: under REPLICA IDENTITY FULL it flags every
 * column (which would give each version of a row a different row key), under NOTHING none. It is
 * read when the Relation message arrives, so it is the catalog as of that moment of streaming,
 * which may be later than the change while capture catches up (see {@link ChangeAssembler}).
 *
 * <p>Not thread-safe: one per capture session, which owns (but does not close) the connection.
 */
final class PrimaryKeys {

    private final Connection connection;

    PrimaryKeys(Connection connection) {
        this.connection = connection;
    }

    /** The key column names of the table, empty when it has no primary key. */
    Set<String> of(int relationOid) {
        try (PreparedStatement q = connection.prepareStatement("""
                SELECT a.attname FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                WHERE i.indrelid = ? AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)""")) {
            q.setLong(1, Integer.toUnsignedLong(relationOid));
            ResultSet rs = q.executeQuery();
            Set<String> columns = new LinkedHashSet<>();
            while (rs.next()) {
                columns.add(rs.getString(1));
            }
            return columns;
        } catch (SQLException e) {
            throw new SourceException(SourceException.Reason.SOURCE_DATABASE_ERROR,
                    "cannot read the primary key of table oid " + Integer.toUnsignedLong(relationOid) + ": " + e.getMessage(), e);
        }
    }
}
