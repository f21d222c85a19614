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

/** The sources (watched databases) of every account. Connection URIs are stored encrypted. */
public final class Sources {

    /** Lifecycle of a source's capture, as the API shows it. */
    public enum Status { STARTING, ACTIVE, RECONNECTING;
        public String wire() {
            return name().toLowerCase();
        }
    }

    public record Source(String id, String accountId, String name, String type, String connectionUri,
                         String database, List<String> tables, String slotName, String publicationName,
                         Status status, String statusMessage, Lsn checkpoint, long eventsCaptured,
                         Long lastEventAt, long createdAt) {
    }

    private static final String COLUMNS = "id, account_id, name, type, connection_uri_enc, database_name, tables, slot_name, "
            + "publication_name, status, status_message, checkpoint_lsn, events_captured, last_event_at, created_at";
    private final Database db;
    private final SecretBox secrets;

    public Sources(Database db, SecretBox secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    public void insert(Source s) {
        db.transaction(c -> {
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO sources (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
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
                ins.executeUpdate();
            }
            return null;
        });
    }

    public List<Source> listByAccount(String accountId) {
        return query("SELECT " + COLUMNS + " FROM sources WHERE account_id = ? ORDER BY created_at, id", accountId);
    }

    public List<Source> listAll() {
        return query("SELECT " + COLUMNS + " FROM sources ORDER BY created_at, id", null);
    }

    public Optional<Source> find(String accountId, String sourceId) {
        return query("SELECT " + COLUMNS + " FROM sources WHERE id = ?", sourceId).stream()
                .filter(s -> s.accountId().equals(accountId))
                .findFirst();
    }

    public void setStatus(String sourceId, Status status, String message) {
        db.update("UPDATE sources SET status = ?, status_message = ? WHERE id = ?", status.name(), message, sourceId);
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
            ResultSet rs = q.executeQuery();
            List<Source> out = new ArrayList<>();
            while (rs.next()) {
                long lastEvent = rs.getLong(14);
                Long lastEventAt = rs.wasNull() ? null : lastEvent;
                out.add(new Source(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        secrets.decrypt(rs.getString(5)), rs.getString(6), StoreJson.stringList(rs.getString(7)),
                        rs.getString(8), rs.getString(9), Status.valueOf(rs.getString(10)), rs.getString(11),
                        new Lsn(rs.getLong(12)), rs.getLong(13), lastEventAt, rs.getLong(15)));
            }
            return out;
        }
    }
}
