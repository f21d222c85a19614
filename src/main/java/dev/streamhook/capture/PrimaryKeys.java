package dev.streamhook.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The primary-key columns of the tables a source captures, read from the source's catalog. The
 * Relation message cannot tell them: under REPLICA IDENTITY FULL it flags every column as key,
 * which would give each version of a row a different row key and break per-row order.
 *
 * <p>Not thread-safe: one per capture session, which owns (but does not close) the connection.
 */
final class PrimaryKeys {

    private final Connection connection;
    private final Map<Integer, Set<String>> cache = new HashMap<>();

    PrimaryKeys(Connection connection) {
        this.connection = connection;
    }

    /** The key column names of the table, empty when it has no primary key. */
    Set<String> of(int relationOid) {
        return cache.computeIfAbsent(relationOid, this::load);
    }

    /** A Relation message means the table may have changed: read its key again on next use. */
    void forget(int relationOid) {
        cache.remove(relationOid);
    }

    private Set<String> load(int relationOid) {
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
