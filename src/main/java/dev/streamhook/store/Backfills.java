package dev.streamhook.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Snapshots and backfills of sources, with their progress per table. The progress of a chunk is
 * written by {@link #progress}, a unit the event log runs in the same store transaction as the
 * chunk's events, so what is stored and where reading goes on never disagree after a crash.
 * Thread-safe: every call is its own store transaction.
 */
public final class Backfills {

    /** {@code SNAPSHOT}: asked for when the source was made; {@code BACKFILL}: asked for later. */
    public enum Kind { SNAPSHOT, BACKFILL;
        public String wire() {
            return name().toLowerCase();
        }
    }

    /** {@code WAITING}: for the source's first destination (events before it would reach no one). */
    public enum Status { WAITING, RUNNING, DONE, FAILED;
        public String wire() {
            return name().toLowerCase();
        }
    }

    /** One table of a backfill. {@code lastKey}: the key of the last row read (index order), null before the first. */
    public record TableProgress(int position, String table, List<String> lastKey, long rowsDone, Long rowsEstimated, boolean done) {
    }

    public record Backfill(String id, String sourceId, Kind kind, Status status, String error, long createdAt, Long startedAt,
                           Long finishedAt, List<TableProgress> tables) {
        public boolean finished() {
            return status == Status.DONE || status == Status.FAILED;
        }
    }

    private static final String COLUMNS = "b.id, b.source_id, b.kind, b.status, b.error, b.created_at, b.started_at, b.finished_at, "
            + "t.position, t.table_name, t.last_key, t.rows_done, t.rows_estimated, t.done";
    private final Database db;

    public Backfills(Database db) {
        this.db = db;
    }

    /** Stores a new backfill of {@code tables} (in this order), waiting to run. */
    public Backfill create(String sourceId, Kind kind, List<String> tables, long now) {
        String id = Ids.random("bf_", 16);
        db.transaction(c -> {
            insert(c, id, sourceId, kind, tables, now);
            return null;
        });
        return find(sourceId, id).orElseThrow();
    }

    private static void insert(Connection c, String id, String sourceId, Kind kind, List<String> tables, long now) throws SQLException {
        try (PreparedStatement b = c.prepareStatement("INSERT INTO backfills (id, source_id, kind, status, created_at) VALUES (?,?,?,?,?)");
             PreparedStatement t = c.prepareStatement("INSERT INTO backfill_tables (backfill_id, position, table_name) VALUES (?,?,?)")) {
            b.setString(1, id);
            b.setString(2, sourceId);
            b.setString(3, kind.name());
            b.setString(4, Status.WAITING.name());
            b.setLong(5, now);
            b.executeUpdate();
            for (int i = 0; i < tables.size(); i++) {
                t.setString(1, id);
                t.setInt(2, i);
                t.setString(3, tables.get(i));
                t.addBatch();
            }
            t.executeBatch();
        }
    }

    /** The source's backfills, oldest first. */
    public List<Backfill> listBySource(String sourceId) {
        return query("WHERE b.source_id = ?", sourceId);
    }

    public Optional<Backfill> find(String sourceId, String backfillId) {
        return listBySource(sourceId).stream().filter(b -> b.id().equals(backfillId)).findFirst();
    }

    /** The snapshot asked for when the source was made, if one was. */
    public Optional<Backfill> snapshotOf(String sourceId) {
        return listBySource(sourceId).stream().filter(b -> b.kind() == Kind.SNAPSHOT).findFirst();
    }

    /** The oldest backfill of the source still to run or running: they run one at a time, in order. */
    public Optional<Backfill> next(String sourceId) {
        return listBySource(sourceId).stream().filter(b -> !b.finished()).findFirst();
    }

    public void setStatus(String backfillId, Status status, long now) {
        switch (status) {
            case RUNNING -> db.update("UPDATE backfills SET status = ?, started_at = COALESCE(started_at, ?) WHERE id = ?",
                    status.name(), now, backfillId);
            case DONE -> db.update("UPDATE backfills SET status = ?, finished_at = ? WHERE id = ?", status.name(), now, backfillId);
            case WAITING -> db.update("UPDATE backfills SET status = ? WHERE id = ?", status.name(), backfillId);
            case FAILED -> throw new IllegalArgumentException("use fail(), with the reason");
        }
    }

    public void fail(String backfillId, String error, long now) {
        db.update("UPDATE backfills SET status = ?, error = ?, finished_at = ? WHERE id = ?", Status.FAILED.name(), error, now, backfillId);
    }

    public void setEstimate(String backfillId, int position, Long rows) {
        db.update("UPDATE backfill_tables SET rows_estimated = ? WHERE backfill_id = ? AND position = ?", rows, backfillId, position);
    }

    /**
     * The progress of one chunk, to run in the store transaction that stores the chunk's events:
     * {@code rowsRead} more rows read, reading goes on after {@code lastKey}; {@code done} when the
     * table has no rows after it.
     */
    public static Database.Work<Void> progress(String backfillId, int position, List<String> lastKey, int rowsRead, boolean done) {
        String key = lastKey == null ? null : StoreJson.write(lastKey);
        return c -> {
            try (PreparedStatement up = c.prepareStatement("UPDATE backfill_tables SET last_key = COALESCE(?, last_key), "
                    + "rows_done = rows_done + ?, done = ? WHERE backfill_id = ? AND position = ?")) {
                up.setString(1, key);
                up.setInt(2, rowsRead);
                up.setInt(3, done ? 1 : 0);
                up.setString(4, backfillId);
                up.setInt(5, position);
                up.executeUpdate();
            }
            return null;
        };
    }

    /** Records the end of a table's reading without a chunk to store with it. */
    public void tableDone(String backfillId, int position) {
        db.transaction(progress(backfillId, position, null, 0, true));
    }

    private List<Backfill> query(String where, String param) {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM backfills b JOIN backfill_tables t "
                    + "ON t.backfill_id = b.id " + where + " ORDER BY b.created_at, b.id, t.position")) {
                q.setString(1, param);
                return rows(q.executeQuery());
            }
        });
    }

    private static List<Backfill> rows(ResultSet rs) throws SQLException {
        Map<String, Backfill> byId = new LinkedHashMap<>();
        Map<String, List<TableProgress>> tables = new LinkedHashMap<>();
        while (rs.next()) {
            String id = rs.getString(1);
            if (!byId.containsKey(id)) {
                tables.put(id, new ArrayList<>());
                byId.put(id, new Backfill(id, rs.getString(2), Kind.valueOf(rs.getString(3)), Status.valueOf(rs.getString(4)),
                        rs.getString(5), rs.getLong(6), nullableLong(rs, 7), nullableLong(rs, 8), tables.get(id)));
            }
            String lastKey = rs.getString(11);
            tables.get(id).add(new TableProgress(rs.getInt(9), rs.getString(10), lastKey == null ? null : StoreJson.stringList(lastKey),
                    rs.getLong(12), nullableLong(rs, 13), rs.getInt(14) != 0));
        }
        return byId.values().stream().map(b -> new Backfill(b.id(), b.sourceId(), b.kind(), b.status(), b.error(), b.createdAt(),
                b.startedAt(), b.finishedAt(), List.copyOf(tables.get(b.id())))).toList();
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
