package dev.streamhook.store;

import dev.streamhook.event.Operation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Deliveries waiting to be sent, the leases of the lanes that send them, and the record of every
 * attempt. Retry state (attempt count, next attempt time) lives here, not in memory, so a restart
 * resumes where it stopped.
 *
 * <p>A destination's deliveries form one lane. A node works a lane only while it holds the lane's
 * lease; every take-over gets a new token, and {@link #record} writes nothing unless its token is
 * still the current, unexpired one. So two nodes never both send a lane, and a node that lost its
 * lease (paused, cut off) cannot overwrite what the new holder did. Per-row order is kept by the
 * lane holder in memory, fed by {@link #pending} in event order.
 *
 * <p>Thread-safety: any thread. Writes go through the store's group commit.
 */
public final class DeliveryQueue {

    /**
     * Where a delivery stands. {@code HELD}: its account is over its monthly event limit; lanes do
     * not read it until {@link Usage} releases it (to {@code PENDING}), in event order.
     * {@code SKIPPED}: the destination does not take the event's operation ({@code operations});
     * never sent, and never in a lane, so it holds nothing back.
     */
    public enum Status { PENDING, SUCCEEDED, FAILED, HELD, SKIPPED }

    /**
     * A lane held by {@code owner} until {@code until}; {@code token} fences it against later holders.
     * {@code quietUntil}: until when the destination asked for no request ({@code Retry-After}), as
     * the lane's holders recorded it (epoch ms, 0 when it did not), so a new holder waits too.
     */
    public record Lease(String destinationId, String owner, long token, long until, long quietUntil) {
    }

    /**
     * A pending delivery as its lane reads it, in event order. {@code oldRowKey} is the row's key
     * before a key-changing UPDATE, else null; {@code table} is {@code schema.table}, the key a
     * table-wide event ({@code operation} TRUNCATE) orders against. {@code failed}: it failed for
     * good and is read only to hold its row back (a destination that holds on failure); never sent.
     */
    public record Pending(long deliveryId, long eventSeq, String eventId, String rowKey, String oldRowKey, String table,
                          Operation operation, int attempts, long nextAttemptAt, long committedAt, byte[] body, boolean failed) {
        public Pending(long deliveryId, long eventSeq, String eventId, String rowKey, String oldRowKey, String table,
                       Operation operation, int attempts, long nextAttemptAt, long committedAt, byte[] body) {
            this(deliveryId, eventSeq, eventId, rowKey, oldRowKey, table, operation, attempts, nextAttemptAt, committedAt, body, false);
        }
    }

    /** Where a delivery stands in the store now, as a lane checks the ones it holds back. */
    public record State(long deliveryId, Status status, int attempts, long nextAttemptAt) {
    }

    /**
     * A delivery with all that sending it needs; {@code signing} says how it is signed (its secrets,
     * its scheme). {@code timeoutMs} and {@code connectTimeoutMs}: the destination's own deadlines,
     * 0 for the sender's default. {@code batchSize}: 0 for one event, whose id is {@code eventId};
     * else {@code body} is a JSON array of that many events, {@code eventId} the batch's id and
     * {@code deliveryId} its first delivery's.
     */
    public record Due(long deliveryId, String eventId, byte[] body, int attempts, String destinationId,
                      String url, Signing signing, Map<String, String> headers, long timeoutMs, long connectTimeoutMs, int batchSize) {
        /**
         * What sending to {@code d} needs: its URL, signing, headers and deadlines (0, the sender's
         * default, where it sets none). {@code batchSize}: 0 for one event, as above.
         */
        public static Due to(Destinations.Destination d, long deliveryId, String eventId, byte[] body, int attempts, int batchSize) {
            Destinations.Tuning t = d.tuning();
            return new Due(deliveryId, eventId, body, attempts, d.id(), d.url(), d.signing(), d.headers(),
                    t.timeoutMs() == null ? 0 : t.timeoutMs(), t.connectTimeoutMs() == null ? 0 : t.connectTimeoutMs(), batchSize);
        }

        /** One event, with the destination's own deadlines. */
        public Due(long deliveryId, String eventId, byte[] body, int attempts, String destinationId,
                   String url, Signing signing, Map<String, String> headers, long timeoutMs, long connectTimeoutMs) {
            this(deliveryId, eventId, body, attempts, destinationId, url, signing, headers, timeoutMs, connectTimeoutMs, 0);
        }

        /** With the sender's default deadlines. */
        public Due(long deliveryId, String eventId, byte[] body, int attempts, String destinationId,
                   String url, Signing signing, Map<String, String> headers) {
            this(deliveryId, eventId, body, attempts, destinationId, url, signing, headers, 0, 0);
        }
    }

    /**
     * Why an attempt failed, as the API names it in lower case: the name lookup, the TCP
     * connection, the TLS handshake, a deadline, an answer outside 2xx, the address policy, or
     * anything else.
     */
    public enum ErrorKind { DNS, CONNECT, TLS, TIMEOUT, STATUS, REFUSED, OTHER }

    /**
     * What one attempt did: an HTTP status, or an error before any status arrived. {@code errorKind}
     * is null for a success; {@code retryAfter} is the wait a 429 or 503 asked for with
     * {@code Retry-After} (null when none; never stored).
     */
    public record Attempt(long startedAt, long durationMs, Integer statusCode, String error, String responseBody,
                          ErrorKind errorKind, java.time.Duration retryAfter) {
        /** The kind told by the outcome alone: {@code STATUS} for an answer outside 2xx, {@code OTHER} for an error. */
        public Attempt(long startedAt, long durationMs, Integer statusCode, String error, String responseBody) {
            this(startedAt, durationMs, statusCode, error, responseBody,
                    statusCode != null ? (statusCode >= 200 && statusCode < 300 ? null : ErrorKind.STATUS) : ErrorKind.OTHER, null);
        }

        public boolean succeeded() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    /**
     * One attempt's outcome to record: the attempt's number (1 for the first), and where the
     * delivery goes next. {@code committedAt}: when the event's transaction committed (epoch ms),
     * for the commit-to-delivery latency of {@link Stats}; 0 when not known.
     */
    public record Result(long deliveryId, int attemptNumber, Attempt attempt, Status next, long nextAttemptAt, long committedAt) {
        public Result(long deliveryId, int attemptNumber, Attempt attempt, Status next, long nextAttemptAt) {
            this(deliveryId, attemptNumber, attempt, next, nextAttemptAt, 0);
        }
    }

    private final Database db;
    private final EndpointHealth health;

    /** Destinations are disabled after failing every attempt for 5 days. */
    public DeliveryQueue(Database db) {
        this(db, Optional.of(EndpointHealth.DEFAULT_DISABLE_AFTER));
    }

    /** {@code disableAfter}: how long a destination may fail every attempt before it is disabled; empty, never. */
    public DeliveryQueue(Database db, Optional<java.time.Duration> disableAfter) {
        this.db = db;
        this.health = new EndpointHealth(disableAfter);
    }

    /**
     * Takes the lane of {@code destinationId} for {@code owner} until {@code now + leaseMillis}, when
     * nobody holds it, its lease ran out, or {@code owner} itself held it (a restarted node takes its
     * lanes back at once). Each take-over gets a new token. Empty when another owner holds it.
     */
    public Optional<Lease> acquire(String destinationId, String owner, long now, long leaseMillis) {
        long until = now + leaseMillis;
        return db.transaction(c -> {
            try (PreparedStatement take = c.prepareStatement(
                    "UPDATE lanes SET owner = ?, token = token + 1, lease_until = ? WHERE destination_id = ? AND (lease_until < ? OR owner = ?)")) {
                take.setString(1, owner);
                take.setLong(2, until);
                take.setString(3, destinationId);
                take.setLong(4, now);
                take.setString(5, owner);
                if (take.executeUpdate() == 0) {
                    try (PreparedStatement first = c.prepareStatement("INSERT INTO lanes (destination_id, owner, token, lease_until) "
                            + "SELECT ?, ?, 1, ? WHERE EXISTS (SELECT 1 FROM destinations WHERE id = ?) ON CONFLICT DO NOTHING")) {
                        first.setString(1, destinationId);
                        first.setString(2, owner);
                        first.setLong(3, until);
                        first.setString(4, destinationId);
                        if (first.executeUpdate() == 0) {
                            return Optional.<Lease>empty();
                        }
                    }
                }
            }
            try (PreparedStatement q = c.prepareStatement("SELECT token, quiet_until FROM lanes WHERE destination_id = ?")) {
                q.setString(1, destinationId);
                ResultSet rs = q.executeQuery();
                return rs.next() ? Optional.of(new Lease(destinationId, owner, rs.getLong(1), until, rs.getLong(2))) : Optional.<Lease>empty();
            }
        });
    }

    /** Extends a held lease; empty when it was lost (ran out and taken over, or the destination is gone). */
    public Optional<Lease> renew(Lease lease, long now, long leaseMillis) {
        long until = now + leaseMillis;
        int renewed = db.update("UPDATE lanes SET lease_until = ? WHERE destination_id = ? AND token = ? AND lease_until >= ?",
                until, lease.destinationId(), lease.token(), now);
        return renewed == 1 ? Optional.of(new Lease(lease.destinationId(), lease.owner(), lease.token(), until, lease.quietUntil()))
                : Optional.empty();
    }

    /** Lets the lane go at once (a clean stop), so another node need not wait for the lease to run out. */
    public void release(Lease lease) {
        db.update("UPDATE lanes SET lease_until = 0 WHERE destination_id = ? AND token = ?", lease.destinationId(), lease.token());
    }

    /**
     * Up to {@code limit} pending deliveries of the destination after event {@code afterSeq}, in
     * event order, due or not. Read through the lane index, so the cost is that of the page, not of
     * the backlog. The page is chosen first and then joined to its events: joined the other way,
     * PostgreSQL's planner walks the event log from its start (a merge join), and a page deep in a
     * backlog of 1,000,000 took hundreds of milliseconds instead of one or two.
     */
    public List<Pending> pending(String destinationId, long afterSeq, int limit) {
        return pending(destinationId, afterSeq, limit, false);
    }

    /**
     * As {@link #pending(String, long, int)}; with {@code withFailed}, the deliveries that failed for
     * good come too, in the same event order (marked {@link Pending#failed()}), for a lane that
     * holds their rows back. Each status is read through the lane index on its own and the two
     * pages merged, so the cost stays that of the page.
     */
    public List<Pending> pending(String destinationId, long afterSeq, int limit, boolean withFailed) {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement(pendingSql(withFailed))) {
                int i = 0;
                for (String status : withFailed ? List.of("PENDING", "FAILED") : List.of("PENDING")) {
                    q.setString(++i, destinationId);
                    q.setString(++i, status);
                    q.setLong(++i, afterSeq);
                    q.setInt(++i, limit);
                }
                q.setInt(++i, limit);
                ResultSet rs = q.executeQuery();
                List<Pending> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Pending(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6) + "." + rs.getString(7), Operation.valueOf(rs.getString(8)), rs.getInt(9), rs.getLong(10),
                            rs.getLong(11), rs.getBytes(12), rs.getString(13).equals("FAILED")));
                }
                return out;
            }
        });
    }

    /**
     * {@link #pending}'s statement. Its parameters: destination, status, after-seq and limit for each
     * status read (PENDING, then FAILED), then the limit of the merged page. {@code LanePageQueryPlanIT}
     * checks its plans on both stores.
     */
    static String pendingSql(boolean withFailed) {
        String page = "SELECT id, event_seq, row_key, attempts, next_attempt_at, status FROM deliveries "
                + "WHERE destination_id = ? AND status = ? AND event_seq > ? ORDER BY event_seq LIMIT ?";
        String pages = withFailed ? "SELECT * FROM (" + page + ") p UNION ALL SELECT * FROM (" + page + ") f" : page;
        return """
                SELECT d.id, d.event_seq, e.id, d.row_key, e.old_row_key, e.schema_name, e.table_name, e.operation,
                       d.attempts, d.next_attempt_at, e.committed_at, e.body, d.status
                FROM (%s) d
                JOIN events e ON e.seq = d.event_seq
                ORDER BY d.event_seq LIMIT ?""".formatted(pages);
    }

    /**
     * The current state of the given deliveries of one destination; a delivery that no longer
     * exists (its event pruned, its destination deleted) is left out.
     */
    public List<State> states(String destinationId, List<Long> deliveryIds) {
        List<State> out = new ArrayList<>();
        for (int from = 0; from < deliveryIds.size(); from += 500) {
            List<Long> chunk = deliveryIds.subList(from, Math.min(deliveryIds.size(), from + 500));
            db.read(c -> {
                String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement q = c.prepareStatement("SELECT id, status, attempts, next_attempt_at FROM deliveries "
                        + "WHERE destination_id = ? AND id IN (" + marks + ")")) {
                    q.setString(1, destinationId);
                    for (int i = 0; i < chunk.size(); i++) {
                        q.setLong(i + 2, chunk.get(i));
                    }
                    ResultSet rs = q.executeQuery();
                    while (rs.next()) {
                        out.add(new State(rs.getLong(1), Status.valueOf(rs.getString(2)), rs.getInt(3), rs.getLong(4)));
                    }
                }
                return null;
            });
        }
        return out;
    }

    /**
     * Records attempts of one lane in the next group commit, if {@code lease} is still the lane's
     * current, unexpired lease at {@code now}; otherwise records nothing. The future gives whether
     * they were recorded.
     */
    public CompletableFuture<Boolean> record(Lease lease, List<Result> results, long now) {
        return record(lease, results, 0, now);
    }

    /**
     * As above, and keeps {@code quietUntil} with the lane when it is later than what the lane has:
     * until when the destination asked for no request (a 429 or 503 with {@code Retry-After}), for
     * whoever holds the lane next ({@link Lease#quietUntil()}). 0 when nothing asked.
     */
    public CompletableFuture<Boolean> record(Lease lease, List<Result> results, long quietUntil, long now) {
        if (results.isEmpty()) {
            return CompletableFuture.completedFuture(true);
        }
        java.util.concurrent.atomic.AtomicBoolean disabled = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean dueSooner = new java.util.concurrent.atomic.AtomicBoolean();
        return db.<Boolean>submit(c -> {
            if (!holds(c, lease, now)) {
                return false;
            }
            disabled.set(health.note(c, lease.destinationId(), results, now));
            List<Result> stored = dueByReopening(c, lease.destinationId(), results);
            dueSooner.set(stored != results);
            ResultRows.write(c, db.dialect(), lease.destinationId(), stored);
            if (quietUntil > now && askedForQuietSinceReopened(c, lease.destinationId(), results)) {
                try (PreparedStatement quiet = c.prepareStatement("UPDATE lanes SET quiet_until = ? WHERE destination_id = ? AND quiet_until < ?")) {
                    quiet.setLong(1, quietUntil);
                    quiet.setString(2, lease.destinationId());
                    quiet.setLong(3, quietUntil);
                    quiet.executeUpdate();
                }
            }
            Stats.countResults(c, db.dialect(), lease.destinationId(), results, now);
            return true;
        }).thenApply(recorded -> {
            if (disabled.get()) {
                db.signals().destinationsChanged(); // its lane stops; its deliveries wait, pending
            }
            if (dueSooner.get()) {
                db.signals().deliveriesReopened(lease.destinationId()); // the lane had the backoff's time for them
            }
            return recorded;
        });
    }

    /**
     * The results, with a retry due no later than the destination was last set active when its
     * attempt started before that: setting it active made everything waiting due at once, and an
     * attempt in flight then, whose failure is committed only now, waited as much as the rest.
     */
    private List<Result> dueByReopening(Connection c, String destinationId, List<Result> results) throws SQLException {
        if (results.stream().noneMatch(r -> r.next() == Status.PENDING)) {
            return results; // nothing retries: most groups
        }
        long reopenedAt = reopenedAt(c, destinationId);
        List<Result> out = null;
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            // not an answer that said when to come back (Retry-After): that time is the endpoint's to set
            if (r.next() == Status.PENDING && r.attempt().retryAfter() == null && r.attempt().startedAt() < reopenedAt
                    && r.nextAttemptAt() > reopenedAt) {
                if (out == null) {
                    out = new ArrayList<>(results);
                }
                out.set(i, new Result(r.deliveryId(), r.attemptNumber(), r.attempt(), r.next(), reopenedAt, r.committedAt()));
            }
        }
        return out == null ? results : out;
    }

    /**
     * Whether one of the results is an answer asking for quiet ({@code Retry-After}) to an attempt
     * that started after the destination was last set active: setting it active ends the wait, and
     * one asked for before then (recorded late, by a lane still running or stopping) does not bring
     * it back.
     */
    private boolean askedForQuietSinceReopened(Connection c, String destinationId, List<Result> results) throws SQLException {
        long reopenedAt = reopenedAt(c, destinationId);
        return results.stream().anyMatch(r -> r.attempt().retryAfter() != null && r.attempt().startedAt() >= reopenedAt);
    }

    /** When the destination was last set active (epoch ms, 0 never), its row locked: one being set active meanwhile waits for this commit. */
    private long reopenedAt(Connection c, String destinationId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT reopened_at FROM destinations WHERE id = ?" + db.dialect().lockRows())) {
            q.setString(1, destinationId);
            ResultSet rs = q.executeQuery();
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * Until when the destination asked for no request, as the lane's holders recorded it (epoch ms, 0
     * when it did not, or when the destination was set active since).
     */
    public long quietUntil(String destinationId) {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT quiet_until FROM lanes WHERE destination_id = ?")) {
                q.setString(1, destinationId);
                ResultSet rs = q.executeQuery();
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** Whether {@code lease} is the lane's current lease, locking the lane row so no take-over commits meanwhile. */
    private boolean holds(Connection c, Lease lease, long now) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT token, lease_until FROM lanes WHERE destination_id = ?" + db.dialect().lockRows())) {
            q.setString(1, lease.destinationId());
            ResultSet rs = q.executeQuery();
            return rs.next() && rs.getLong(1) == lease.token() && rs.getLong(2) >= now;
        }
    }
}
