package dev.streamhook.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Webhook destinations of a source. Signing secrets are stored encrypted; a hint names them. */
public final class Destinations {

    /** {@code maxInFlight} null means the node's default. */
    public record Destination(String id, String sourceId, String url, String secret, String secretHint,
                              Map<String, String> headers, Integer maxInFlight, long createdAt) {
        public Destination {
            headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
        }
    }

    private static final String COLUMNS = "id, source_id, url, secret_enc, secret_hint, headers, max_in_flight, created_at";
    private final Database db;
    private final SecretBox secrets;

    public Destinations(Database db, SecretBox secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    public void upsert(Destination d) {
        db.transaction(c -> {
            try (PreparedStatement del = c.prepareStatement("UPDATE destinations SET url = ?, secret_enc = ?, secret_hint = ?, headers = ?, max_in_flight = ? WHERE id = ?")) {
                bindMutable(del, d);
                del.setString(6, d.id());
                if (del.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO destinations (url, secret_enc, secret_hint, headers, max_in_flight, id, source_id, created_at) VALUES (?,?,?,?,?,?,?,?)")) {
                bindMutable(ins, d);
                ins.setString(6, d.id());
                ins.setString(7, d.sourceId());
                ins.setLong(8, d.createdAt());
                ins.executeUpdate();
            }
            return null;
        });
        db.signals().destinationsChanged();
    }

    private void bindMutable(PreparedStatement st, Destination d) throws java.sql.SQLException {
        st.setString(1, d.url());
        st.setString(2, d.secret() == null ? null : secrets.encrypt(d.secret()));
        st.setString(3, d.secretHint());
        st.setString(4, StoreJson.write(d.headers()));
        if (d.maxInFlight() == null) {
            st.setNull(5, java.sql.Types.INTEGER);
        } else {
            st.setInt(5, d.maxInFlight());
        }
    }

    /** Every destination of every account: what the node's delivery works. */
    public List<Destination> listAll() {
        return query("SELECT " + COLUMNS + " FROM destinations ORDER BY created_at, id", null);
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
        db.signals().destinationsChanged();
    }

    private static Integer maxInFlight(ResultSet rs) throws java.sql.SQLException {
        int n = rs.getInt(7);
        return rs.wasNull() ? null : n;
    }

    private List<Destination> query(String sql, String param) {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement(sql)) {
                if (param != null) {
                    q.setString(1, param);
                }
                ResultSet rs = q.executeQuery();
                List<Destination> out = new ArrayList<>();
                while (rs.next()) {
                    String enc = rs.getString(4);
                    out.add(new Destination(rs.getString(1), rs.getString(2), rs.getString(3),
                            enc == null ? null : secrets.decrypt(enc), rs.getString(5),
                            StoreJson.stringMap(rs.getString(6)), maxInFlight(rs), rs.getLong(8)));
                }
                return out;
            }
        });
    }
}
