package dev.streamhook.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Webhook destinations of a source. Signing secrets are stored encrypted; a hint names them. */
public final class Destinations {

    public record Destination(String id, String sourceId, String url, String secret, String secretHint,
                              Map<String, String> headers, long createdAt) {
        public Destination {
            headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
        }
    }

    private static final String COLUMNS = "id, source_id, url, secret_enc, secret_hint, headers, created_at";
    private final Database db;
    private final SecretBox secrets;

    public Destinations(Database db, SecretBox secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    public void upsert(Destination d) {
        db.transaction(c -> {
            try (PreparedStatement del = c.prepareStatement("UPDATE destinations SET url = ?, secret_enc = ?, secret_hint = ?, headers = ? WHERE id = ?")) {
                bindMutable(del, d);
                del.setString(5, d.id());
                if (del.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO destinations (url, secret_enc, secret_hint, headers, id, source_id, created_at) VALUES (?,?,?,?,?,?,?)")) {
                bindMutable(ins, d);
                ins.setString(5, d.id());
                ins.setString(6, d.sourceId());
                ins.setLong(7, d.createdAt());
                ins.executeUpdate();
            }
            return null;
        });
    }

    private void bindMutable(PreparedStatement st, Destination d) throws java.sql.SQLException {
        st.setString(1, d.url());
        st.setString(2, d.secret() == null ? null : secrets.encrypt(d.secret()));
        st.setString(3, d.secretHint());
        st.setString(4, StoreJson.write(d.headers()));
    }

    public List<Destination> listBySource(String sourceId) {
        return query("SELECT " + COLUMNS + " FROM destinations WHERE source_id = ? ORDER BY created_at, id", sourceId);
    }

    public Optional<Destination> find(String sourceId, String destinationId) {
        return query("SELECT " + COLUMNS + " FROM destinations WHERE id = ?", destinationId).stream()
                .filter(d -> d.sourceId().equals(sourceId))
                .findFirst();
    }

    /** Removes the destination and its pending deliveries. */
    public void delete(String destinationId) {
        db.update("DELETE FROM destinations WHERE id = ?", destinationId);
    }

    private List<Destination> query(String sql, String param) {
        return db.transaction(c -> {
            try (PreparedStatement q = c.prepareStatement(sql)) {
                q.setString(1, param);
                ResultSet rs = q.executeQuery();
                List<Destination> out = new ArrayList<>();
                while (rs.next()) {
                    String enc = rs.getString(4);
                    out.add(new Destination(rs.getString(1), rs.getString(2), rs.getString(3),
                            enc == null ? null : secrets.decrypt(enc), rs.getString(5),
                            StoreJson.stringMap(rs.getString(6)), rs.getLong(7)));
                }
                return out;
            }
        });
    }
}
