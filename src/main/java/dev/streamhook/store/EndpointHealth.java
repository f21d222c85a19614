package dev.streamhook.store;

import dev.streamhook.store.DeliveryQueue.Result;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Disables a destination that is gone: it answered 410 Gone, or every attempt at it failed for
 * {@code disableAfter} (the run of failures starts at the first failed attempt after a success, and
 * is kept in {@code destinations.failing_since}, so it survives restarts and take-overs). A
 * disabled destination has no lane; its deliveries stay pending, in order, until it is set active.
 *
 * <p>Runs inside the transaction that records a lane's attempts ({@link DeliveryQueue#record}), so
 * only the lane's holder judges it. Immutable; thread-safe.
 */
final class EndpointHealth {

    /**
     * Shorter than the default retry schedule's span (about 2.8 days, 2.2 at the least with its
     * jitter): an endpoint that is down for good is disabled before the first event of the outage
     * has used its attempts, so none of them fails; they wait, pending, for the endpoint to be set
     * active again.
     */
    static final Duration DEFAULT_DISABLE_AFTER = Duration.ofDays(2);

    private final Optional<Duration> disableAfter;

    EndpointHealth(Optional<Duration> disableAfter) {
        this.disableAfter = disableAfter;
    }

    /** Notes the attempts of {@code results} (in the order they settled); true when this disabled the destination. */
    boolean note(Connection c, String destinationId, List<Result> results, long now) throws SQLException {
        Long failingSince;
        Long before;
        try (PreparedStatement q = c.prepareStatement("SELECT status, failing_since FROM destinations WHERE id = ?")) {
            q.setString(1, destinationId);
            ResultSet rs = q.executeQuery();
            if (!rs.next() || !rs.getString(1).equals("active")) {
                return false; // gone, or paused or disabled meanwhile: a late result changes nothing
            }
            long since = rs.getLong(2);
            failingSince = rs.wasNull() ? null : since;
            before = failingSince;
        }
        String reason = null;
        for (Result r : results) {
            if (r.attempt().succeeded()) {
                failingSince = null;
                continue;
            }
            if (failingSince == null) {
                failingSince = r.attempt().startedAt();
            }
            Integer code = r.attempt().statusCode();
            if (code != null && code == 410) {
                reason = "the endpoint answered 410 Gone";
            }
        }
        if (reason == null && failingSince != null && disableAfter.isPresent() && now - failingSince >= disableAfter.get().toMillis()) {
            reason = "every attempt failed for " + disableAfter.get().toString().substring(2).toLowerCase()
                    + " (since " + Instant.ofEpochMilli(failingSince) + ")";
        }
        if (reason == null && java.util.Objects.equals(before, failingSince)) {
            return false; // nothing changed: a healthy endpoint costs no write per group of results
        }
        try (PreparedStatement up = c.prepareStatement(reason == null
                ? "UPDATE destinations SET failing_since = ? WHERE id = ?"
                : "UPDATE destinations SET failing_since = ?, status = 'disabled', disabled_reason = ?, disabled_at = ? WHERE id = ?")) {
            int i = 1;
            if (failingSince == null) {
                up.setNull(i++, java.sql.Types.BIGINT);
            } else {
                up.setLong(i++, failingSince);
            }
            if (reason != null) {
                up.setString(i++, reason);
                up.setLong(i++, now);
            }
            up.setString(i, destinationId);
            up.executeUpdate();
        }
        return reason != null;
    }
}
