package dev.streamhook.capture;

import dev.streamhook.capture.SourceException.Reason;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and changes what a user's database says about its tables, on a connection the caller
 * opened (and closes): the tables of its own schemas with their keys and replica identities, the
 * tables a publication holds, and a table's replica identity. Stateless; thread-safe.
 */
final class TableCatalog {

    /**
     * Ordinary and partitioned tables (not partitions: their root is published) of every schema but
     * the system's, leaving out tables of extensions (PostGIS' spatial_ref_sys and the like).
     */
    private static final String TABLES = """
            SELECT n.nspname, c.relname, c.relreplident::text,
                   ARRAY(SELECT a.attname::text FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                         WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY k.ord),
                   ARRAY(SELECT a.attname::text FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                         WHERE i.indrelid = c.oid AND i.indisreplident ORDER BY k.ord),
                   has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT'),
                   pg_has_role(c.relowner, 'USAGE') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                   c.relpersistence = 'p'
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            ORDER BY 1, 2""";

    private TableCatalog() {
    }

    /** Every table of the database's own schemas, by schema and name. */
    static List<TableInfo> tables(Connection c) throws SQLException {
        List<TableInfo> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(TABLES)) {
            while (rs.next()) {
                String identity = switch (rs.getString(3)) {
                    case "f" -> "full";
                    case "i" -> "index";
                    case "n" -> "nothing";
                    default -> "default";
                };
                out.add(new TableInfo(new TableName(rs.getString(1), rs.getString(2)), identity, strings(rs.getArray(4)),
                        strings(rs.getArray(5)), rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8)));
            }
        }
        return out;
    }

    /** The tables {@code wanted} names, as {@link #tables} reads them, in {@code wanted}'s order; missing ones left out. */
    static List<TableInfo> tables(Connection c, List<TableName> wanted) throws SQLException {
        List<TableInfo> all = tables(c);
        return wanted.stream().flatMap(w -> all.stream().filter(t -> t.name().equals(w))).toList();
    }

    /** The tables every-table capture publishes: each {@link TableInfo#capturable()} one. */
    static List<TableName> capturable(Connection c) throws SQLException {
        return tables(c).stream().filter(TableInfo::capturable).map(TableInfo::name).toList();
    }

    /** The tables the publication holds now. */
    static Set<TableName> published(Connection c, String publication) throws SQLException {
        Set<TableName> out = new LinkedHashSet<>();
        try (PreparedStatement q = c.prepareStatement("SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
            q.setString(1, publication);
            ResultSet rs = q.executeQuery();
            while (rs.next()) {
                out.add(new TableName(rs.getString(1), rs.getString(2)));
            }
        }
        return out;
    }

    /**
     * Makes the publication hold exactly {@code tables}, adding and dropping the difference in one
     * transaction (ALTER PUBLICATION ... SET TABLE cannot set an empty list). A streaming session
     * follows from the commit on. Returns the tables it added.
     */
    static List<TableName> publishExactly(Connection c, String publication, List<TableName> tables) throws SQLException {
        Set<TableName> now = published(c, publication);
        List<TableName> add = tables.stream().filter(t -> !now.contains(t)).toList();
        List<TableName> drop = now.stream().filter(t -> !tables.contains(t)).toList();
        if (add.isEmpty() && drop.isEmpty()) {
            return add;
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            if (!add.isEmpty()) {
                s.execute("ALTER PUBLICATION " + TableName.quote(publication) + " ADD TABLE " + list(add));
            }
            if (!drop.isEmpty()) {
                s.execute("ALTER PUBLICATION " + TableName.quote(publication) + " DROP TABLE " + list(drop));
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        return add;
    }

    /**
     * Sets a table's replica identity to {@code full} or {@code default}. PostgreSQL lets only the
     * owner (or a superuser) do so; otherwise the answer names the table and the statement its owner
     * can run.
     */
    static void setReplicaIdentity(Connection c, TableName table, String identity, String user) throws SQLException {
        List<TableInfo> found = tables(c, List.of(table));
        if (found.isEmpty()) {
            throw new SourceException(Reason.TABLE_NOT_FOUND, "table " + table + " does not exist (names are exact; a name without a "
                    + "schema means public.name)", "replica_identity");
        }
        String sql = "ALTER TABLE " + table.quoted() + " REPLICA IDENTITY " + identity.toUpperCase(java.util.Locale.ROOT);
        if (!found.get(0).owned()) {
            throw new SourceException(Reason.TABLE_NOT_OWNED, "role '" + user + "' does not own " + table + ", and only its owner may "
                    + "change its replica identity: ask the owner (or a superuser) to run " + sql + ";", "replica_identity");
        }
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String list(List<TableName> tables) {
        return String.join(", ", tables.stream().map(TableName::quoted).toList());
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }
}
