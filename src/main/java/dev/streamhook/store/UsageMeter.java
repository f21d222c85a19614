package dev.streamhook.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The free plan's side of an append, run inside the append's store transaction: decides how many of
 * the new events go to delivery now and how many are held, and counts them in {@code account_usage}.
 *
 * <p>The rule: an event goes out if its account holds none and the month's count is under the
 * limit; otherwise it is held, and so is every later event of the account until a release. Held
 * events are thus always the newest of their account, which keeps per-row order through a release
 * (released in event order) and lets a lane simply be woken for them.
 *
 * <p>Cost: the usual append (under its limit, nothing held) is one conditional UPDATE that counts
 * and checks at once. Otherwise the account's row is locked and read, and written after the events.
 * Both take the row lock before the events get their sequence numbers, so on a shared PostgreSQL
 * store concurrent appends of one account are numbered in the order they were metered.
 *
 * <p>Thread-safety: any thread; the methods only use the connection they are given (units of the
 * group-commit writer may run twice).
 */
final class UsageMeter {

    /** The account's usage row, locked for the rest of the transaction. */
    record Locked(String accountId, long events, long held, Long heldFromSeq, long limit) {
        /** How many of {@code added} new events may go out now. */
        int admits(int added) {
            if (held > 0) {
                return 0; // a held backlog goes first: later events may not overtake it
            }
            return (int) Math.max(0, Math.min(added, limit - events));
        }
    }

    /** The outcome of {@link #admit}: either all counted at once ({@code locked} null), or the locked row to decide from. */
    record Admission(String accountId, Locked locked) {
    }

    private static final String ADMIT_ALL = "UPDATE account_usage SET events = events + ? WHERE account_id = ? AND period = ? AND held = 0 "
            + "AND events + ? <= COALESCE((SELECT monthly_event_limit FROM accounts WHERE id = ?), ?)";
    /** Locks the account's row, creating it or starting a new month's count, and reads it. */
    private static final String LOCK = "INSERT INTO account_usage (account_id, period, events, held) VALUES (?, ?, 0, 0) "
            + "ON CONFLICT (account_id) DO UPDATE SET period = excluded.period, "
            + "events = CASE WHEN account_usage.period = excluded.period THEN account_usage.events ELSE 0 END "
            + "RETURNING events, held, held_from_seq, (SELECT monthly_event_limit FROM accounts a WHERE a.id = account_usage.account_id)";

    private final long defaultLimit;
    /** A source never changes account, so its account is looked up once. */
    private final Map<String, String> accountOfSource = new ConcurrentHashMap<>();

    /** {@code defaultLimit}: events a month of an account that sets none; {@link Long#MAX_VALUE} for no limit. */
    UsageMeter(long defaultLimit) {
        this.defaultLimit = defaultLimit;
    }

    long defaultLimit() {
        return defaultLimit;
    }

    /**
     * Before the events of an append are inserted: counts all {@code count} of them if they fit
     * (the usual case), else locks the account's row and returns it to decide from once it is known
     * how many were new.
     */
    Admission admit(Connection c, String sourceId, int count, UsagePeriod period) throws SQLException {
        String accountId = accountOf(c, sourceId);
        try (PreparedStatement up = c.prepareStatement(ADMIT_ALL)) {
            up.setLong(1, count);
            up.setString(2, accountId);
            up.setString(3, period.key());
            up.setLong(4, count);
            up.setString(5, accountId);
            up.setLong(6, defaultLimit);
            if (up.executeUpdate() == 1) {
                return new Admission(accountId, null);
            }
        }
        return new Admission(accountId, lock(c, accountId, period));
    }

    /**
     * After the events are inserted and {@code added} of them were new: returns how many of those
     * go out now (the first ones, in event order) and records the rest as held.
     * {@code firstHeldSeq} gives the sequence number of the first held event (asked only when a
     * backlog starts).
     */
    int settle(Connection c, Admission a, int counted, int added, FirstHeld firstHeldSeq) throws SQLException {
        if (a.locked() == null) {
            if (added < counted) { // some were stored before (a transaction sent again): uncount them
                try (PreparedStatement up = c.prepareStatement("UPDATE account_usage SET events = events - ? WHERE account_id = ?")) {
                    up.setLong(1, counted - added);
                    up.setString(2, a.accountId());
                    up.executeUpdate();
                }
            }
            return added;
        }
        if (added == 0) {
            return 0;
        }
        int admitted = a.locked().admits(added);
        int held = added - admitted;
        Long heldFrom = held > 0 && a.locked().heldFromSeq() == null ? firstHeldSeq.seq(admitted) : null;
        try (PreparedStatement up = c.prepareStatement("UPDATE account_usage SET events = events + ?, held = held + ?, "
                + "held_from_seq = COALESCE(held_from_seq, ?) WHERE account_id = ?")) {
            up.setLong(1, admitted);
            up.setLong(2, held);
            if (heldFrom == null) {
                up.setNull(3, java.sql.Types.BIGINT);
            } else {
                up.setLong(3, heldFrom);
            }
            up.setString(4, a.accountId());
            up.executeUpdate();
        }
        return admitted;
    }

    /** The sequence number of the group's {@code index}-th new event (0-based, in log order). */
    @FunctionalInterface
    interface FirstHeld {
        long seq(int index) throws SQLException;
    }

    /** Locks the account's usage row for the rest of the transaction, starting the month's count if it turned. */
    Locked lock(Connection c, String accountId, UsagePeriod period) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(LOCK)) {
            q.setString(1, accountId);
            q.setString(2, period.key());
            ResultSet rs = q.executeQuery();
            rs.next();
            long heldFrom = rs.getLong(3);
            Long heldFromSeq = rs.wasNull() ? null : heldFrom;
            long limit = rs.getLong(4);
            if (rs.wasNull()) {
                limit = defaultLimit;
            }
            return new Locked(accountId, rs.getLong(1), rs.getLong(2), heldFromSeq, limit);
        }
    }

    private String accountOf(Connection c, String sourceId) throws SQLException {
        String known = accountOfSource.get(sourceId);
        if (known != null) {
            return known;
        }
        try (PreparedStatement q = c.prepareStatement("SELECT account_id FROM sources WHERE id = ?")) {
            q.setString(1, sourceId);
            ResultSet rs = q.executeQuery();
            if (!rs.next()) {
                throw new StoreException("source " + sourceId + " no longer exists; its events are not stored");
            }
            accountOfSource.put(sourceId, rs.getString(1));
            return rs.getString(1);
        }
    }
}
