package dev.streamhook.capture;

import dev.streamhook.capture.SourceException.Reason;
import dev.streamhook.capture.types.PgTypes;
import dev.streamhook.event.json.JsJson;
import dev.streamhook.event.json.JsonValue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a table of the user's database in chunks, in primary-key order (keyset pagination: each
 * chunk starts after the last key of the one before, so memory is one chunk whatever the table's
 * size and a restart goes on from a stored key). Rows come out as the stream would send them: the
 * same column set (no dropped columns; stored generated columns from PostgreSQL 18 on, where our
 * publications publish them, none before), the same text of each value (the connection
 * must be made with {@code binaryTransfer=false}, so every value is the type's output function, as
 * pgoutput sends it) mapped to JSON by the same {@link PgTypes}, and the same row key.
 *
 * <p>Pure functions of a connection the caller owns; thread-safe.
 */
final class TableChunks {

    /** A column as the snapshot reads it; {@code keyPosition} is its place in the primary key index, -1 if not a key column. */
    record Column(String name, int typeOid, String sqlType, int keyPosition) {
    }

    /** What a table's chunks are read by: its columns in attribute order (as pgoutput's Relation lists them). */
    record Layout(TableName table, List<Column> columns, List<Column> keyInIndexOrder) {
    }

    /** One row read: its row key (as capture computes it) and its values, as {@code after}. */
    record Row(String rowKey, JsonValue after) {
    }

    /**
     * One chunk: its rows, the key of its last row in index order (null when it has none), and
     * whether the table has no rows after it.
     */
    record Chunk(List<Row> rows, List<String> lastKey, boolean exhausted) {
    }

    private TableChunks() {
    }

    static Layout describe(Connection c, TableName table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("""
                SELECT a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod),
                       coalesce(array_position(i.indkey::int2[], a.attnum) - array_lower(i.indkey::int2[], 1), -1)
                FROM pg_attribute a
                JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace
                LEFT JOIN pg_index i ON i.indrelid = r.oid AND i.indisprimary
                WHERE n.nspname = ? AND r.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
                  AND (a.attgenerated = '' OR a.attgenerated = 's' AND ?)
                ORDER BY a.attnum""")) {
            q.setString(1, table.schema());
            q.setString(2, table.table());
            // what pgoutput sends: stored generated columns only where the publication asks for them (18 on, see SourceDatabase)
            q.setBoolean(3, c.getMetaData().getDatabaseMajorVersion() >= 18);
            ResultSet rs = q.executeQuery();
            while (rs.next()) {
                columns.add(new Column(rs.getString(1), (int) rs.getLong(2), rs.getString(3), rs.getInt(4)));
            }
        }
        if (columns.isEmpty()) {
            throw new SourceException(Reason.TABLE_NOT_FOUND, "table " + table + " does not exist (any more)");
        }
        List<Column> key = columns.stream().filter(col -> col.keyPosition() >= 0)
                .sorted(java.util.Comparator.comparingInt(Column::keyPosition)).toList();
        if (key.isEmpty()) {
            throw new SourceException(Reason.TABLE_HAS_NO_PRIMARY_KEY, "table " + table + " has no primary key: a snapshot reads a table "
                    + "in primary-key order, in chunks. Add one (ALTER TABLE " + table.quoted() + " ADD PRIMARY KEY (...)) and backfill it");
        }
        return new Layout(table, List.copyOf(columns), key);
    }

    /**
     * Reads up to {@code maxRows} rows after {@code after} (null: from the first), stopping early
     * once the rows read hold about {@code maxBytes} of text. Runs in the connection's current
     * transaction, fetching in batches so that the driver holds no more than the chunk.
     */
    static Chunk read(Connection c, Layout layout, List<String> after, int maxRows, long maxBytes) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < layout.columns().size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(TableName.quote(layout.columns().get(i).name()));
        }
        sql.append(" FROM ").append(layout.table().quoted());
        String keyList = String.join(", ", layout.keyInIndexOrder().stream().map(k -> TableName.quote(k.name())).toList());
        if (after != null) {
            sql.append(" WHERE (").append(keyList).append(") > (");
            for (int i = 0; i < layout.keyInIndexOrder().size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("CAST(? AS ").append(layout.keyInIndexOrder().get(i).sqlType()).append(')');
            }
            sql.append(')');
        }
        sql.append(" ORDER BY ").append(keyList).append(" LIMIT ").append(maxRows);
        List<Row> rows = new ArrayList<>();
        List<String> lastKey = null;
        long bytes = 0;
        boolean cut = false;
        try (PreparedStatement q = c.prepareStatement(sql.toString())) {
            q.setFetchSize(Math.min(maxRows, 1_000));
            if (after != null) {
                for (int i = 0; i < after.size(); i++) {
                    q.setString(i + 1, after.get(i));
                }
            }
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    String[] text = new String[layout.columns().size()];
                    for (int i = 0; i < text.length; i++) {
                        text[i] = rs.getString(i + 1);
                        bytes += text[i] == null ? 4 : text[i].length() + 8;
                    }
                    rows.add(row(layout, text));
                    lastKey = key(layout, text);
                    if (bytes >= maxBytes && rows.size() < maxRows) {
                        cut = true;
                        break;
                    }
                }
            }
        }
        return new Chunk(List.copyOf(rows), lastKey, !cut && rows.size() < maxRows);
    }

    private static Row row(Layout layout, String[] text) {
        var after = JsonValue.objectBuilder();
        List<JsonValue> key = new ArrayList<>();
        for (int i = 0; i < text.length; i++) {
            Column col = layout.columns().get(i);
            after.put(col.name(), text[i] == null ? JsonValue.NULL : PgTypes.toJson(col.typeOid(), text[i]));
            if (col.keyPosition() >= 0 && text[i] != null) {
                key.add(JsonValue.of(text[i])); // attribute order, as ChangeAssembler builds a streamed row's key
            }
        }
        String rowKey = layout.table() + (key.isEmpty() ? "" : JsJson.stringify(new JsonValue.Arr(key)));
        return new Row(rowKey, after.build());
    }

    private static List<String> key(Layout layout, String[] text) {
        List<String> key = new ArrayList<>(layout.keyInIndexOrder().size());
        for (Column k : layout.keyInIndexOrder()) {
            key.add(text[layout.columns().indexOf(k)]);
        }
        return key;
    }
}
