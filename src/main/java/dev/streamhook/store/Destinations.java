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
     * {@code signatureScheme}: which signature headers it is sent; {@code previous}: the secret
     * replaced by a rotation, still signing until its grace period ends, else null.
     */
    public record Destination(String id, String sourceId, String url, String secret, String secretHint,
                              Map<String, String> headers, Integer maxInFlight, Set<Operation> operations, long createdAt,
                              Tuning tuning, State state, Signing.Scheme signatureScheme, PreviousSecret previous,
                              OnFailure onFailure) {
        public Destination {
            if (signatureScheme == null) {
                throw new IllegalArgumentException("a destination has a signature scheme");
            }
            java.util.Objects.requireNonNull(onFailure, "onFailure");
            headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
            if (operations.isEmpty()) {
                throw new IllegalArgumentException("a destination takes at least one operation");
            }
            operations = Collections.unmodifiableSet(EnumSet.copyOf(operations));
        }

        /** A copy that does this when a delivery fails for good. */
        public Destination withOnFailure(OnFailure changed) {
            return new Destination(id, sourceId, url, secret, secretHint, headers, maxInFlight, operations, createdAt, tuning, state,
                    signatureScheme, previous, changed);
        }

        /** A copy with other retry and timeout settings. */
        public Destination with(Tuning changed) {
            return new Destination(id, sourceId, url, secret, secretHint, headers, maxInFlight, operations, createdAt, changed, state,
                    signatureScheme, previous, onFailure);
        }

        /** A destination sent every operation. */
        public Destination(String id, String sourceId, String url, String secret, String secretHint,
                           Map<String, String> headers, Integer maxInFlight, long createdAt) {
            this(id, sourceId, url, secret, secretHint, headers, maxInFlight, ALL_OPERATIONS, createdAt);
        }

        /** An active destination with the node's retry schedule and timeouts, signed the page's way, with no rotation under way. */
        public Destination(String id, String sourceId, String url, String secret, String secretHint,
                           Map<String, String> headers, Integer maxInFlight, Set<Operation> operations, long createdAt) {
            this(id, sourceId, url, secret, secretHint, headers, maxInFlight, operations, createdAt, Tuning.DEFAULTS, State.ACTIVE,
                    Signing.Scheme.STREAMHOOK, null, OnFailure.HOLD);
        }

        /** This destination with another signature scheme and previous secret. */
        public Destination withSigning(Signing.Scheme scheme, PreviousSecret previousSecret) {
            return new Destination(id, sourceId, url, secret, secretHint, headers, maxInFlight, operations, createdAt, tuning, state,
                    scheme, previousSecret, onFailure);
        }

        /** This destination with another secret (and its hint), its scheme and previous secret unchanged. */
        public Destination withSecret(String newSecret, String newHint) {
            return new Destination(id, sourceId, url, newSecret, newHint, headers, maxInFlight, operations, createdAt, tuning, state,
                    signatureScheme, previous, onFailure);
        }

        /** What signing its deliveries needs. */
        public Signing signing() {
            return previous == null ? new Signing(signatureScheme, secret, null, 0)
                    : new Signing(signatureScheme, secret, previous.secret(), previous.expiresAt());
        }
    }

    /** A secret replaced by a rotation: it keeps signing, beside the new one, until {@code expiresAt} (epoch ms). */
    public record PreviousSecret(String secret, String hint, long expiresAt) {
    }

    /**
     * How a destination is retried and waited for; each null means the node's setting
     * ({@code STREAMHOOK_DELIVERY_MAX_ATTEMPTS}, {@code STREAMHOOK_DELIVERY_RETRY_SCHEDULE},
     * {@code STREAMHOOK_DELIVERY_TIMEOUT_MS}, which is also the default connect timeout).
     */
    public record Tuning(Integer maxAttempts, List<java.time.Duration> retrySchedule, Integer timeoutMs, Integer connectTimeoutMs,
                         Batch batch) {
        public static final Tuning DEFAULTS = new Tuning(null, null, null, null, null);

        public Tuning {
            retrySchedule = retrySchedule == null ? null : List.copyOf(retrySchedule);
        }

        /** One event per request. */
        public Tuning(Integer maxAttempts, List<java.time.Duration> retrySchedule, Integer timeoutMs, Integer connectTimeoutMs) {
            this(maxAttempts, retrySchedule, timeoutMs, connectTimeoutMs, null);
        }
    }

    /**
     * Several events per request, opted into per destination: a request carries up to
     * {@code maxEvents} events as a JSON array, and an event that could go waits at most
     * {@code maxWaitMs} for others to join it. Null in {@link Tuning}: one event per request.
     */
    public record Batch(int maxEvents, int maxWaitMs) {
        public Batch {
            if (maxEvents < 1 || maxWaitMs < 0) {
                throw new IllegalArgumentException("a batch holds at least one event and waits no negative time");
            }
        }
    }

    /** Whether a destination is delivered to: {@code ACTIVE}; {@code PAUSED} by hand; {@code DISABLED} by StreamHook. */
    public enum Status { ACTIVE, PAUSED, DISABLED }

    /** A destination's status, with why and when StreamHook disabled it (null unless {@code DISABLED}). */
    public record State(Status status, String disabledReason, Long disabledAt) {
        public static final State ACTIVE = new State(Status.ACTIVE, null, null);
    }

    /** Every operation: what a destination is sent unless told otherwise. */
    public static final Set<Operation> ALL_OPERATIONS = Collections.unmodifiableSet(EnumSet.allOf(Operation.class));

    private static final String COLUMNS = "id, source_id, url, secret_enc, secret_hint, headers, max_in_flight, created_at, operations, "
            + "status, disabled_reason, disabled_at, retry_max_attempts, retry_schedule, timeout_ms, connect_timeout_ms, "
            + "signature_scheme, previous_secret_enc, previous_secret_hint, previous_secret_expires_at, on_failure, batch_max_events, batch_max_wait_ms";
    private final Database db;
    private final SecretBox secrets;

    public Destinations(Database db, SecretBox secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    public void upsert(Destination d) {
        db.transaction(c -> {
            try (PreparedStatement del = c.prepareStatement("UPDATE destinations SET url = ?, secret_enc = ?, secret_hint = ?, headers = ?, max_in_flight = ?, operations = ?, "
                    + "signature_scheme = ?, previous_secret_enc = ?, previous_secret_hint = ?, previous_secret_expires_at = ?, on_failure = ? "
                    + "WHERE id = ?")) {
                bindMutable(del, d);
                del.setString(12, d.id());
                if (del.executeUpdate() == 1) {
                    writeTuning(c, d);
                    return null;
                }
            }
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO destinations (url, secret_enc, secret_hint, headers, max_in_flight, operations, signature_scheme, "
                            + "previous_secret_enc, previous_secret_hint, previous_secret_expires_at, on_failure, id, source_id, created_at) "
                            + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                bindMutable(ins, d);
                ins.setString(12, d.id());
                ins.setString(13, d.sourceId());
                ins.setLong(14, d.createdAt());
                ins.executeUpdate();
            }
            writeTuning(c, d);
            return null;
        });
        db.signals().destinationsChanged();
    }

    private static void writeTuning(java.sql.Connection c, Destination d) throws java.sql.SQLException {
        Tuning t = d.tuning();
        try (PreparedStatement up = c.prepareStatement(
                "UPDATE destinations SET retry_max_attempts = ?, retry_schedule = ?, timeout_ms = ?, connect_timeout_ms = ?, "
                        + "batch_max_events = ?, batch_max_wait_ms = ? WHERE id = ?")) {
            up.setObject(1, t.maxAttempts(), java.sql.Types.INTEGER);
            up.setString(2, t.retrySchedule() == null ? null
                    : t.retrySchedule().stream().map(x -> Long.toString(x.toMillis())).collect(Collectors.joining(",")));
            up.setObject(3, t.timeoutMs(), java.sql.Types.INTEGER);
            up.setObject(4, t.connectTimeoutMs(), java.sql.Types.INTEGER);
            up.setObject(5, t.batch() == null ? null : t.batch().maxEvents(), java.sql.Types.INTEGER);
            up.setObject(6, t.batch() == null ? null : t.batch().maxWaitMs(), java.sql.Types.INTEGER);
            up.setString(7, d.id());
            up.executeUpdate();
        }
    }

    /**
     * Pauses or resumes a destination, or enables a disabled one (only {@link EndpointHealth}
     * disables). Setting it active forgets the run of failures and the reason, so it gets a fresh
     * {@code STREAMHOOK_DESTINATION_DISABLE_AFTER}, and makes its pending deliveries due now; its
     * lane then sends what waited, in order.
     */
    public void setStatus(String destinationId, Status status, long now) {
        if (status == Status.DISABLED) {
            throw new IllegalArgumentException("a destination is disabled by StreamHook, not by hand");
        }
        db.transaction(c -> {
            if (status == Status.ACTIVE) {
                // a Retry-After the endpoint answered before is over: setting it active means send now. The lane's
                // row first, as a lane recording results locks it (then this destination's): no deadlock between nodes
                try (PreparedStatement quiet = c.prepareStatement("UPDATE lanes SET quiet_until = 0 WHERE destination_id = ?")) {
                    quiet.setString(1, destinationId);
                    quiet.executeUpdate();
                }
            }
            try (PreparedStatement up = c.prepareStatement("UPDATE destinations SET status = ?, disabled_reason = NULL, disabled_at = NULL, "
                    + "failing_since = NULL, reopened_at = COALESCE(?, reopened_at) WHERE id = ?")) {
                up.setString(1, status.name().toLowerCase(java.util.Locale.ROOT));
                // set active: for results of attempts in flight now, committed later (DeliveryQueue.record)
                up.setObject(2, status == Status.ACTIVE ? now : null, java.sql.Types.BIGINT);
                up.setString(3, destinationId);
                up.executeUpdate();
            }
            if (status == Status.ACTIVE) {
                // what waited is due now: a retry the schedule had put hours away goes with the rest, in order
                try (PreparedStatement due = c.prepareStatement("UPDATE deliveries SET next_attempt_at = ? "
                        + "WHERE destination_id = ? AND status = 'PENDING' AND next_attempt_at > ?")) {
                    due.setLong(1, now);
                    due.setString(2, destinationId);
                    due.setLong(3, now);
                    due.executeUpdate();
                }
            }
            return null;
        });
        db.signals().destinationsChanged();
        if (status == Status.ACTIVE) {
            db.signals().deliveriesReopened(destinationId); // a lane that kept running (paused and resumed at once) reads the new due times
        }
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
        bindSigning(st, d);
        st.setString(11, d.onFailure() == OnFailure.HOLD ? null : d.onFailure().name()); // null: the default, hold
    }

    /** Parameters 7 to 10: the scheme (null for the page's default) and the previous secret, encrypted like the current one. */
    private void bindSigning(PreparedStatement st, Destination d) throws java.sql.SQLException {
        st.setString(7, d.signatureScheme() == Signing.Scheme.STREAMHOOK ? null : d.signatureScheme().wireName());
        PreviousSecret p = d.previous();
        st.setString(8, p == null ? null : secrets.encrypt(p.secret()));
        st.setString(9, p == null ? null : p.hint());
        if (p == null) {
            st.setNull(10, java.sql.Types.BIGINT);
        } else {
            st.setLong(10, p.expiresAt());
        }
    }

    /**
     * Forgets the previous secrets whose grace period ended by {@code now}: they no longer sign (the
     * sender checks the time itself), so this only removes them from the store. Returns how many.
     */
    public int dropExpiredPreviousSecrets(long now) {
        return db.update("UPDATE destinations SET previous_secret_enc = NULL, previous_secret_hint = NULL, previous_secret_expires_at = NULL "
                + "WHERE previous_secret_expires_at <= ?", now);
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

    /** The active destinations whose source delivers (is not paused): the lanes a node runs. */
    public List<Destination> listDelivering() {
        return query("SELECT " + prefixed("d") + " FROM destinations d JOIN sources s ON s.id = d.source_id "
                + "WHERE s.paused_at IS NULL AND d.status = 'active' ORDER BY d.created_at, d.id", null);
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

    private static State state(ResultSet rs) throws java.sql.SQLException {
        return new State(Status.valueOf(rs.getString(10).toUpperCase(java.util.Locale.ROOT)), rs.getString(11), nullableLong(rs, 12));
    }

    private static Tuning tuning(ResultSet rs) throws java.sql.SQLException {
        String schedule = rs.getString(14);
        Long maxAttempts = nullableLong(rs, 13);
        Long timeout = nullableLong(rs, 15);
        Long connect = nullableLong(rs, 16);
        Long batchEvents = nullableLong(rs, 22);
        Long batchWait = nullableLong(rs, 23);
        return new Tuning(maxAttempts == null ? null : maxAttempts.intValue(),
                schedule == null ? null : java.util.Arrays.stream(schedule.split(",")).map(ms -> java.time.Duration.ofMillis(Long.parseLong(ms))).toList(),
                timeout == null ? null : timeout.intValue(), connect == null ? null : connect.intValue(),
                batchEvents == null ? null : new Batch(batchEvents.intValue(), batchWait == null ? 0 : batchWait.intValue()));
    }

    private static Long nullableLong(ResultSet rs, int column) throws java.sql.SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Integer maxInFlight(ResultSet rs) throws java.sql.SQLException {
        int n = rs.getInt(7);
        return rs.wasNull() ? null : n;
    }

    private static Signing.Scheme scheme(String stored) {
        return stored == null ? Signing.Scheme.STREAMHOOK : Signing.Scheme.fromWireName(stored)
                .orElseThrow(() -> new StoreException("unknown signature scheme '" + stored + "' in the store"));
    }

    /** The previous secret, also when its grace period ended but the sweep has not removed it yet (it no longer signs). */
    private PreviousSecret previous(ResultSet rs) throws java.sql.SQLException {
        String enc = rs.getString(18);
        return enc == null ? null : new PreviousSecret(secrets.decrypt(enc), rs.getString(19), rs.getLong(20));
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
                    headers(rs.getString(6)), maxInFlight(rs), operations(rs.getString(9)), rs.getLong(8), tuning(rs), state(rs),
                    scheme(rs.getString(17)), previous(rs), rs.getString(21) == null ? OnFailure.HOLD : OnFailure.valueOf(rs.getString(21))));
        }
        return out;
    }
}
