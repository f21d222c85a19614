package dev.streamhook.capture;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One table of a user's database as discovery sees it: its key, its replica identity (what
 * PostgreSQL writes to WAL as the old row of an UPDATE or DELETE, which becomes the event's
 * {@code before}), and whether the connection's role may capture it. Immutable.
 *
 * @param replicaIdentity {@code default}, {@code full}, {@code index} or {@code nothing} (pg_class.relreplident)
 * @param identityColumns the columns of the replica identity index ({@code index} only), else empty
 * @param permanent       neither unlogged nor temporary: only permanent tables can be published
 */
public record TableInfo(TableName name, String replicaIdentity, List<String> primaryKey, List<String> identityColumns,
                        boolean readable, boolean owned, boolean permanent) {

    /** What {@code before} holds on UPDATE and DELETE: {@code full} (every column), {@code key} or {@code none}. */
    public String before() {
        return switch (replicaIdentity) {
            case "full" -> "full";
            case "index" -> "key";
            case "default" -> primaryKey.isEmpty() ? "none" : "key";
            default -> "none";
        };
    }

    /** The columns {@code before} holds when it holds only the key; empty for {@code full} and {@code none}. */
    public List<String> beforeColumns() {
        return switch (before()) {
            case "key" -> replicaIdentity.equals("index") ? identityColumns : primaryKey;
            default -> List.of();
        };
    }

    /**
     * Safe to publish: readable, owned (publishing needs ownership), permanent, and with a replica
     * identity. A published table without one makes every UPDATE and DELETE on it fail on the
     * user's database, so {@code "tables": "*"} leaves such tables out.
     */
    public boolean capturable() {
        return reason() == null;
    }

    /** Why the table is not {@link #capturable()}, with the fix; null when it is. */
    public String reason() {
        if (!permanent) {
            return "unlogged and temporary tables are not written to WAL, so they cannot be captured";
        }
        if (!readable) {
            return "the role may not read it: GRANT SELECT ON " + name.quoted() + " (and USAGE on its schema) to the role";
        }
        if (!owned) {
            return "publishing a table needs its ownership: connect as its owner, or run ALTER TABLE " + name.quoted() + " OWNER TO the role";
        }
        if (before().equals("none")) {
            return "it has no primary key and no replica identity, so UPDATE and DELETE on it would fail on your database while it is "
                    + "published: add a primary key, or run ALTER TABLE " + name.quoted() + " REPLICA IDENTITY FULL";
        }
        return null;
    }

    /** What the user can do to get every column in {@code before}; null when it already is. */
    public String advice() {
        if (before().equals("full")) {
            return null;
        }
        String held = before().equals("key") ? "before holds only " + String.join(", ", beforeColumns()) : "before is empty";
        String sql = "ALTER TABLE " + name.quoted() + " REPLICA IDENTITY FULL";
        if (owned) {
            return held + "; for every column, PATCH the source with {\"replica_identity\": {\"" + name + "\": \"full\"}} (runs " + sql
                    + "; the database then writes whole old rows to WAL for this table)";
        }
        return held + "; for every column, the table's owner must run " + sql + " (this role does not own it)";
    }

    /** As the API shows it. {@code captured}: whether the source captures it; null before a source exists. */
    public Map<String, Object> view(Boolean captured) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name.toString());
        if (captured != null) {
            out.put("captured", captured);
        }
        out.put("primary_key", primaryKey.isEmpty() ? null : primaryKey);
        out.put("replica_identity", replicaIdentity);
        out.put("before", before());
        out.put("before_columns", beforeColumns());
        out.put("capturable", capturable());
        out.put("reason", reason());
        out.put("advice", advice());
        return out;
    }
}
