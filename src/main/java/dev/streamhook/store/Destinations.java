package dev.streamhook.store;

import dev.streamhook.event.Operation;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Webhook destinations of a source. Signing secrets and extra headers (which often carry
 * credentials) are stored encrypted with the {@link SecretBox}; a hint names the secret. A copy of
 * the store without the key reveals neither. Thread-safe: every call is its own store transaction.
 */
public final class Destinations {

    /**
     * What per-row order means once a delivery failed for good. {@code HOLD} (the default): the
     * later events of its row (and of its table, for a TRUNCATE) wait until it is retried and
     * delivered, or skipped, so the endpoint never sees a row's newer state before its older one.
     * {@code SKIP}: they go on, and a retry of the older event is refused once a newer event of its
     * row was delivered, unless forced.
     */
    public enum OnFailure { HOLD, SKIP }

    /**
     * {@code maxInFlight} null means the node's default. {@code operations}: the operations the
     * destination is sent (never empty); an event of another operation is recorded as SKIPPED.
     */
    public record Destination(String id, String sourceId, String url, String secret, String secretHint,
                              Map<String, String> headers, Integer maxInFlight, Set<Operation> operations, long createdAt,
                              OnFailure onFailure) {
        public Destination(String id, String sourceId, String url, String secret, String secretHint,
                           Map<String, String> headers, Integer maxInFlight, Set<Operation> operations, long createdAt) {
            this(id, sourceId, url, secret, secretHint, headers, maxInFlight, operations, createdAt, OnFailure.HOLD);
        }

        public Destination {
            java.util.Objects.requireNonNull(onFailure, "onFailure");
            headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
            if (operations.isEmpty()) {
                throw new IllegalArgumentException("a destination takes at least one operation");
            }
            operations = Collections.unmodifiableSet(EnumSet.copyOf(operations));
        }

        /** A destination sent every operation. */
        public Destination(String id, String sourceId, String url, String secret, String secretHint,
                           Map<String, String> headers, Integer maxInFlight, long createdAt) {
            this(id, sourceId, url, secret, secretHint, headers, maxInFlight, ALL_OPERATIONS, createdAt);
        }
    }

    /** Every operation: what a destination is sent unless told otherwise. */
    public static final Set<Operation> ALL_OPERATIONS = Collections.unmodifiableSet(EnumSet.allOf(Operation.class));

    private static final String COLUMNS = "id, source_id, url, secret_enc, secret_hint, headers, max_in_flight, created_at, operations, on_failure";
    private final Database db;
    private final SecretBox secrets;

    public Destinations(Database db, SecretBox secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    public void upsert(Destination d) {
        db.transaction(c -> {
            try (PreparedStatement del = c.prepareStatement("UPDATE destinations SET url = ?, secret_enc = ?, secret_hint = ?, headers = ?, max_in_flight = ?, operations = ?, "
                    + "on_failure = ? WHERE id = ?")) {
                bindMutable(del, d);
                del.setString(8, d.id());
                if (del.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO destinations (url, secret_enc, secret_hint, headers, max_in_flight, operations, on_failure, id, source_id, "
                            + "created_at) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                bindMutable(ins, d);
                ins.setString(8, d.id());
                ins.setString(9, d.sourceId());
                ins.setLong(10, d.createdAt());
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
        st.setString(4, secrets.encrypt(StoreJson.write(d.headers())));
        if (d.maxInFlight() == null) {
            st.setNull(5, java.sql.Types.INTEGER);
        } else {
            st.setInt(5, d.maxInFlight());
        }
        // null for all: so an operation added later reaches destinations that never chose
        st.setString(6, d.operations().equals(ALL_OPERATIONS) ? null
                : d.operations().stream().map(Operation::name).collect(Collectors.joining(",")));
        st.setString(7, d.onFailure() == OnFailure.HOLD ? null : d.onFailure().name()); // null: the default, hold
    }

    private static Set<Operation> operations(String stored) {
        if (stored == null) {
            return ALL_OPERATIONS;
        }
        EnumSet<Operation> out = EnumSet.noneOf(Operation.class);
        for (String name : stored.split(",")) {
            out.add(Operation.valueOf(name));
        }
        return out;
    }

    /** Every destination of every account: what the node's delivery works. */
    public List<Destination> listAll() {
        return query("SELECT " + COLUMNS + " FROM destinations ORDER BY created_at, id", null);
    }

    /** The destinations whose source delivers (is not paused): the lanes a node runs. */
    public List<Destination> listDelivering() {
        return query("SELECT " + prefixed("d") + " FROM destinations d JOIN sources s ON s.id = d.source_id "
                + "WHERE s.paused_at IS NULL ORDER BY d.created_at, d.id", null);
    }

    public List<Destination> listBySource(String sourceId) {
        return query("SELECT " + COLUMNS + " FROM destinations WHERE source_id = ? ORDER BY created_at, id", sourceId);
    }

    public Optional<Destination> find(String sourceId, String destinationId) {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM destinations WHERE id = ? AND source_id = ?")) {
                q.setString(1, destinationId);
                q.setString(2, sourceId);
                return rows(q.executeQuery()).stream().findFirst();
            }
        });
    }

    /**
     * Encrypts the headers of destinations stored before headers were encrypted; called once at
     * start, by Main. Rows already encrypted are left alone, so running it again changes nothing.
     */
    public int encryptClearHeaders() {
        return db.transaction(c -> {
            int changed = 0;
            try (PreparedStatement q = c.prepareStatement("SELECT id, headers FROM destinations WHERE headers NOT LIKE 'v1:%'");
                 PreparedStatement up = c.prepareStatement("UPDATE destinations SET headers = ? WHERE id = ?")) {
                ResultSet rs = q.executeQuery();
                while (rs.next()) {
                    up.setString(1, secrets.encrypt(rs.getString(2)));
                    up.setString(2, rs.getString(1));
                    up.addBatch();
                    changed++;
                }
                if (changed > 0) {
                    up.executeBatch();
                }
            }
            return changed;
        });
    }

    private static String prefixed(String alias) {
        return alias + "." + COLUMNS.replace(", ", ", " + alias + ".");
    }

    /** Stored headers: encrypted, or (written before encryption, until the start re-encrypts them) clear JSON. */
    private Map<String, String> headers(String stored) {
        return StoreJson.stringMap(stored.startsWith(SecretBox.PREFIX) ? secrets.decrypt(stored) : stored);
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
                return rows(q.executeQuery());
            }
        });
    }

    private List<Destination> rows(ResultSet rs) throws java.sql.SQLException {
        List<Destination> out = new ArrayList<>();
        while (rs.next()) {
            String enc = rs.getString(4);
            out.add(new Destination(rs.getString(1), rs.getString(2), rs.getString(3),
                    enc == null ? null : secrets.decrypt(enc), rs.getString(5),
                    headers(rs.getString(6)), maxInFlight(rs), operations(rs.getString(9)), rs.getLong(8),
                    rs.getString(10) == null ? OnFailure.HOLD : OnFailure.valueOf(rs.getString(10))));
        }
        return out;
    }
}
