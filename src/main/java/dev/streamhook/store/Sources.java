package dev.streamhook.store;

import dev.streamhook.event.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sources (watched databases) of every account. Connection URIs are stored encrypted. Besides
 * what the user set, a source keeps what capture last saw (status, checkpoint, counts, the slot's
 * lag with when it was measured), so reading a source never needs its database.
 * Thread-safe: every call is its own store transaction.
 */
public final class Sources {

    /** Lifecycle of a source's capture, as the API shows it. */
    /**
     * {@code ERROR}: capture stopped for good until the user acts (the slot was dropped or
     * invalidated outside StreamHook, or its creation never finished); the message says what to do.
     */
    public enum Status { STARTING, ACTIVE, RECONNECTING, ERROR;
        public String wire() {
            return name().toLowerCase();
        }
    }

    public record Source(String id, String accountId, String name, String type, String connectionUri,
                         String database, List<String> tables, String slotName, String publicationName,
                         Status status, String statusMessage, Lsn checkpoint, long eventsCaptured,
                         Long lastEventAt, long createdAt, Long pausedAt, Long slotLagBytes, Long slotLagAt, SlotHealth health,
                         int eventTag) {

        /** A source as created: delivering, its lag not measured yet, its event tag given by {@link #insert}. */
        public Source(String id, String accountId, String name, String type, String connectionUri,
                      String database, List<String> tables, String slotName, String publicationName,
                      Status status, String statusMessage, Lsn checkpoint, long eventsCaptured,
                      Long lastEventAt, long createdAt) {
            this(id, accountId, name, type, connectionUri, database, tables, slotName, publicationName, status, statusMessage,
                    checkpoint, eventsCaptured, lastEventAt, createdAt, null, null, null, new SlotHealth(null, createdAt, null, null), 0);
        }

        Source withEventTag(int tag) {
            return new Source(id, accountId, name, type, connectionUri, database, tables, slotName, publicationName, status, statusMessage,
                    checkpoint, eventsCaptured, lastEventAt, createdAt, pausedAt, slotLagBytes, slotLagAt, health, tag);
        }

        /** Every capturable table of the database, now and later ({@code "tables": "*"}). */
        public boolean allTables() {
            return tables.equals(ALL_TABLES);
        }

        /** Whether delivery of its events is paused (capture goes on). */
        public boolean paused() {
            return pausedAt != null;
        }
    }

    /** {@link Source#tables()} of a source that captures every capturable table ({@code "*"}). */
    public static final List<String> ALL_TABLES = List.of("*");

    /**
     * What capture knows of the source's slot beyond its lag. {@code slotCreatedAt}: null while the
     * slot is being made (or a crash interrupted that); {@code statusSince}: when the status last
     * changed; {@code slotWalStatus}: {@code pg_replication_slots.wal_status} as last inspected;
     * {@code tableDetailsJson}: a JSON array describing each captured table's replica identity, as
     * last inspected (null until then).
     */
    public record SlotHealth(Long slotCreatedAt, Long statusSince, String slotWalStatus, String tableDetailsJson) {
    }

    /** What {@code PATCH /v1/sources/:id} may change; the database name follows the URI. */
    public record Settings(String name, List<String> tables, String connectionUri, String database) {
    }

    private static final String COLUMNS = "id, account_id, name, type, connection_uri_enc, database_name, tables, slot_name, "
            + "publication_name, status, status_message, checkpoint_lsn, events_captured, last_event_at, created_at";
    private static final String READ_COLUMNS = COLUMNS + ", paused_at, slot_lag_bytes, slot_lag_at"
            + ", slot_created_at, status_since, slot_wal_status, table_details, event_tag";
    private final Database db;
    private final SecretBox secrets;

    public Sources(Database db, SecretBox secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    /**
     * Stores a new source. Its {@link Source#eventTag} is a random number no other source has (the
     * one {@code s} carries is ignored): it starts the source's event ids, so it must be unique.
     * Gives {@code s} with its tag.
     */
    public Source insert(Source s) {
        return db.transaction(c -> {
            int tag = unusedEventTag(c);
            // slot_created_at stays null: the slot is made after the row (see markSlotCreated)
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO sources (" + COLUMNS + ", status_since, event_tag) "
                    + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                ins.setString(1, s.id());
                ins.setString(2, s.accountId());
                ins.setString(3, s.name());
                ins.setString(4, s.type());
                ins.setString(5, secrets.encrypt(s.connectionUri()));
                ins.setString(6, s.database());
                ins.setString(7, StoreJson.write(s.tables()));
                ins.setString(8, s.slotName());
                ins.setString(9, s.publicationName());
                ins.setString(10, s.status().name());
                ins.setString(11, s.statusMessage());
                ins.setLong(12, s.checkpoint().value());
                ins.setLong(13, s.eventsCaptured());
                if (s.lastEventAt() == null) {
                    ins.setNull(14, Types.BIGINT);
                } else {
                    ins.setLong(14, s.lastEventAt());
                }
                ins.setLong(15, s.createdAt());
                ins.setLong(16, s.createdAt());
                ins.setInt(17, tag);
                ins.executeUpdate();
            }
            return s.withEventTag(tag);
        });
    }

    public List<Source> listByAccount(String accountId) {
        return query("SELECT " + READ_COLUMNS + " FROM sources WHERE account_id = ? ORDER BY created_at, id", accountId);
    }

    public List<Source> listAll() {
        return query("SELECT " + READ_COLUMNS + " FROM sources ORDER BY created_at, id", null);
    }

    /** The source with this id, whatever its account: for capture, never for the API. */
    public Optional<Source> byId(String sourceId) {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT " + READ_COLUMNS + " FROM sources WHERE id = ?")) {
                q.setString(1, sourceId);
                return rows(q.executeQuery()).stream().findFirst();
            }
        });
    }

    /** The account's source; empty for another account's, as for one that does not exist. */
    public Optional<Source> find(String accountId, String sourceId) {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT " + READ_COLUMNS + " FROM sources WHERE id = ? AND account_id = ?")) {
                q.setString(1, sourceId);
                q.setString(2, accountId);
                return rows(q.executeQuery()).stream().findFirst();
            }
        });
    }

    /** Stores new settings of a source; the connection URI encrypted, as on insert. */
    public void update(String sourceId, Settings settings) {
        db.update("UPDATE sources SET name = ?, tables = ?, connection_uri_enc = ?, database_name = ? WHERE id = ?", settings.name(),
                StoreJson.write(settings.tables()), secrets.encrypt(settings.connectionUri()), settings.database(), sourceId);
    }

    /**
     * Pauses or resumes delivery of the source's events. Lanes follow the change at once on this
     * node (the destinations-changed signal), and within their reconcile interval on others.
     */
    public void setPaused(String sourceId, boolean paused, long now) {
        if (paused) {
            db.update("UPDATE sources SET paused_at = ? WHERE id = ? AND paused_at IS NULL", now, sourceId);
        } else {
            db.update("UPDATE sources SET paused_at = NULL WHERE id = ?", sourceId);
        }
        db.signals().destinationsChanged();
    }

    /** Records the slot's lag as capture measured it at {@code measuredAt}. */
    public void recordSlotLag(String sourceId, long lagBytes, long measuredAt) {
        db.transaction(c -> {
            try (java.sql.PreparedStatement up = c.prepareStatement("UPDATE sources SET slot_lag_bytes = ?, slot_lag_at = ? WHERE id = ?")) {
                up.setLong(1, lagBytes);
                up.setLong(2, measuredAt);
                up.setString(3, sourceId);
                up.executeUpdate();
            }
            Stats.recordSlotLag(c, db.dialect(), sourceId, lagBytes, measuredAt);
            return null;
        });
    }

    /** Sets capture's status; {@code status_since} moves only when the status itself changes. */
    public void setStatus(String sourceId, Status status, String message) {
        db.update("UPDATE sources SET status_since = CASE WHEN status = ? THEN status_since ELSE ? END, status = ?, status_message = ? "
                + "WHERE id = ?", status.name(), System.currentTimeMillis(), status.name(), message, sourceId);
    }

    /** Records that the source's publication and slot exist: its creation finished. */
    public void markSlotCreated(String sourceId, long now) {
        db.update("UPDATE sources SET slot_created_at = ? WHERE id = ?", now, sourceId);
    }

    /** Records what capture last saw of the slot (its {@code wal_status}) and of the captured tables (one object each). */
    public void recordInspection(String sourceId, String slotWalStatus, List<java.util.Map<String, Object>> tableDetails) {
        db.update("UPDATE sources SET slot_wal_status = ?, table_details = ? WHERE id = ?", slotWalStatus,
                StoreJson.write(tableDetails), sourceId);
    }

    /** Deletes the source with its destinations, events and deliveries. */
    public void delete(String sourceId) {
        db.update("DELETE FROM sources WHERE id = ?", sourceId);
        db.signals().destinationsChanged(); // its destinations went with it
    }

    private List<Source> query(String sql, String param) {
        return db.read(c -> read(c, sql, param));
    }

    private List<Source> read(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            if (param != null) {
                q.setString(1, param);
            }
            return rows(q.executeQuery());
        }
    }

    private List<Source> rows(ResultSet rs) throws SQLException {
        List<Source> out = new ArrayList<>();
        while (rs.next()) {
            out.add(new Source(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    secrets.decrypt(rs.getString(5)), rs.getString(6), StoreJson.stringList(rs.getString(7)),
                    rs.getString(8), rs.getString(9), Status.valueOf(rs.getString(10)), rs.getString(11),
                    new Lsn(rs.getLong(12)), rs.getLong(13), nullableLong(rs, 14), rs.getLong(15),
                    nullableLong(rs, 16), nullableLong(rs, 17), nullableLong(rs, 18),
                    new SlotHealth(nullableLong(rs, 19), nullableLong(rs, 20), rs.getString(21), rs.getString(22)),
                    rs.getInt(23)));
        }
        return out;
    }

    /**
     * {@code s} with its event tag, giving it one first when it has none (a source stored by an
     * earlier version, or by a node of one beside this on a shared store). Capture calls it before
     * it makes an event id.
     */
    public Source ensureEventTag(Source s) {
        if (s.eventTag() != 0) {
            return s;
        }
        return db.transaction(c -> {
            try (PreparedStatement up = c.prepareStatement("UPDATE sources SET event_tag = ? WHERE id = ? AND event_tag IS NULL")) {
                up.setInt(1, unusedEventTag(c));
                up.setString(2, s.id());
                up.executeUpdate();
            }
            try (PreparedStatement q = c.prepareStatement("SELECT event_tag FROM sources WHERE id = ?")) {
                q.setString(1, s.id());
                ResultSet rs = q.executeQuery();
                if (!rs.next()) {
                    throw new StoreException("source " + s.id() + " was deleted");
                }
                return s.withEventTag(rs.getInt(1));
            }
        });
    }

    /** Random rather than counted, so ids do not tell how many sources a store has, nor repeat across stores; 0 is never given. */
    private static int unusedEventTag(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM sources WHERE event_tag = ?")) {
            while (true) {
                int tag = java.util.concurrent.ThreadLocalRandom.current().nextInt();
                if (tag == 0) {
                    continue;
                }
                q.setInt(1, tag);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) {
                        return tag;
                    }
                }
            }
        }
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
