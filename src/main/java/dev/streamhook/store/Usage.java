package dev.streamhook.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free plan: each account may have a number of events a month (UTC) delivered; beyond it,
 * events are still captured and stored, but their deliveries are {@code HELD} until the month turns
 * or the account's limit is raised. Then they are released, oldest first, as far as the new
 * allowance goes, and count in the month they are released. Nothing is dropped.
 *
 * <p>Appends are metered inside their own transaction ({@link UsageMeter}, used by {@link EventLog}).
 * A release runs through the store writer in batches of {@value #BATCH} events, each under the lock
 * of the account's usage row and changing only deliveries that are still {@code HELD}, so releases
 * running at once (two nodes on one PostgreSQL store, a timer and a limit change) release each event
 * once. After each batch the store signals the lanes of the account's sources.
 *
 * <p>Thread-safety: any thread. The clock decides the month; tests pass one they move.
 */
public final class Usage {

    private static final Logger log = LoggerFactory.getLogger(Usage.class);
    /** Events a release moves in one store transaction. */
    static final int BATCH = 1_000;
    /** The node default meaning "no limit". */
    public static final long UNLIMITED = Long.MAX_VALUE;

    /**
     * An account's month so far: events counted (let through to delivery, released ones included),
     * its limit (null: none), and events held now.
     */
    public record Report(UsagePeriod period, long eventsCounted, Long limit, long eventsHeld) {
    }

    private final Database db;
    private final Clock clock;
    private final UsageMeter meter;

    /** {@code defaultMonthlyLimit}: events a month of an account that sets none ({@link #UNLIMITED} for no limit). */
    public Usage(Database db, Clock clock, long defaultMonthlyLimit) {
        if (defaultMonthlyLimit < 0) {
            throw new IllegalArgumentException("a monthly limit is at least 0");
        }
        this.db = db;
        this.clock = clock;
        this.meter = new UsageMeter(defaultMonthlyLimit);
    }

    UsageMeter meter() {
        return meter;
    }

    UsagePeriod currentPeriod() {
        return UsagePeriod.at(clock.instant());
    }

    /** The account's month so far; zeros for an account that has sent nothing this month. */
    public Report report(String accountId) {
        UsagePeriod period = currentPeriod();
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT a.monthly_event_limit, u.period, u.events, u.held "
                    + "FROM accounts a LEFT JOIN account_usage u ON u.account_id = a.id WHERE a.id = ?")) {
                q.setString(1, accountId);
                ResultSet rs = q.executeQuery();
                if (!rs.next()) {
                    throw new StoreException("no account " + accountId);
                }
                long own = rs.getLong(1);
                long limit = rs.wasNull() ? meter.defaultLimit() : own;
                long events = period.key().equals(rs.getString(2)) ? rs.getLong(3) : 0;
                return new Report(period, events, limit == UNLIMITED ? null : limit, rs.getLong(4));
            }
        });
    }

    /**
     * Sets the account's monthly limit (null: the node's default) and releases what the new limit
     * allows at once. False when there is no such account.
     */
    public boolean setMonthlyLimit(String accountId, Long limit) {
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("a monthly limit is at least 0");
        }
        int updated = db.transaction(c -> {
            try (PreparedStatement up = c.prepareStatement("UPDATE accounts SET monthly_event_limit = ? WHERE id = ?")) {
                if (limit == null) {
                    up.setNull(1, Types.BIGINT);
                } else {
                    up.setLong(1, limit);
                }
                up.setString(2, accountId);
                return up.executeUpdate();
            }
        });
        if (updated == 0) {
            return false;
        }
        release(accountId);
        return true;
    }

    /** The account's own limit; empty when it uses the node's default. */
    public Optional<Long> monthlyLimit(String accountId) {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT monthly_event_limit FROM accounts WHERE id = ?")) {
                q.setString(1, accountId);
                ResultSet rs = q.executeQuery();
                if (!rs.next()) {
                    return Optional.<Long>empty();
                }
                long limit = rs.getLong(1);
                return rs.wasNull() ? Optional.<Long>empty() : Optional.of(limit);
            }
        });
    }

    /** Releases the account's held events, oldest first, as far as this month's allowance goes; returns how many. */
    public long release(String accountId) {
        long released = 0;
        while (true) {
            Released batch = db.transaction(c -> releaseBatch(c, accountId));
            batch.sourceIds().forEach(db.signals()::deliveriesReleased);
            released += batch.events();
            if (batch.events() < BATCH) {
                return released;
            }
        }
    }

    /**
     * Releases what may go for every account that holds events and has room this month (the month
     * turned, or its limit was raised by another node). Run by a timer; returns events released.
     */
    public long releaseDue() {
        UsagePeriod period = currentPeriod();
        List<String> due = db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT u.account_id FROM account_usage u JOIN accounts a ON a.id = u.account_id "
                    + "WHERE u.held > 0 AND (u.period <> ? OR u.events < COALESCE(a.monthly_event_limit, ?))")) {
                q.setString(1, period.key());
                q.setLong(2, meter.defaultLimit());
                ResultSet rs = q.executeQuery();
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        });
        long released = 0;
        for (String accountId : due) {
            try {
                released += release(accountId);
            } catch (RuntimeException e) {
                log.warn("held events of account {} could not be released now; trying again later: {}", accountId, e.toString());
            }
        }
        return released;
    }

    private record Released(long events, List<String> sourceIds) {
    }

    private Released releaseBatch(Connection c, String accountId) throws SQLException {
        UsageMeter.Locked usage = meter.lock(c, accountId, currentPeriod());
        if (usage.held() <= 0 || usage.heldFromSeq() == null) {
            if (usage.held() != 0 || usage.heldFromSeq() != null) {
                heal(c, accountId);
            }
            return new Released(0, List.of());
        }
        long allowance = usage.limit() - usage.events();
        if (allowance <= 0) {
            return new Released(0, List.of());
        }
        int take = (int) Math.min(allowance, BATCH);
        List<String> sourceIds = sourcesOf(c, accountId);
        List<Long> seqs = heldEvents(c, sourceIds, usage.heldFromSeq(), take + 1);
        if (seqs.isEmpty()) { // what was held is gone (its source was deleted)
            heal(c, accountId);
            return new Released(0, List.of());
        }
        int released = Math.min(take, seqs.size());
        Long nextHeld = seqs.size() > released ? seqs.get(released) : null;
        try (PreparedStatement up = c.prepareStatement("UPDATE deliveries SET status = 'PENDING', next_attempt_at = ? "
                + "WHERE status = 'HELD' AND event_seq >= ? AND event_seq <= ? AND destination_id IN "
                + "(SELECT t.id FROM destinations t JOIN sources s ON s.id = t.source_id WHERE s.account_id = ?)")) {
            up.setLong(1, clock.millis());
            up.setLong(2, usage.heldFromSeq());
            up.setLong(3, seqs.get(released - 1));
            up.setString(4, accountId);
            up.executeUpdate();
        }
        try (PreparedStatement up = c.prepareStatement(
                "UPDATE account_usage SET events = events + ?, held = ?, held_from_seq = ? WHERE account_id = ?")) {
            up.setLong(1, released);
            // the count may have drifted (a deleted source's held events): never 0 while events are held
            up.setLong(2, nextHeld == null ? 0 : Math.max(1, usage.held() - released));
            if (nextHeld == null) {
                up.setNull(3, Types.BIGINT);
            } else {
                up.setLong(3, nextHeld);
            }
            up.setString(4, accountId);
            up.executeUpdate();
        }
        return new Released(released, sourceIds);
    }

    private static void heal(Connection c, String accountId) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("UPDATE account_usage SET held = 0, held_from_seq = NULL WHERE account_id = ?")) {
            up.setString(1, accountId);
            up.executeUpdate();
        }
    }

    private static List<String> sourcesOf(Connection c, String accountId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT id FROM sources WHERE account_id = ?")) {
            q.setString(1, accountId);
            ResultSet rs = q.executeQuery();
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    /**
     * The first {@code limit} held events of the account, in event order: every event of its sources
     * from {@code fromSeq} on is held. Read per source through {@code events_source_seq}, then merged.
     */
    private static List<Long> heldEvents(Connection c, List<String> sourceIds, long fromSeq, int limit) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT seq FROM events WHERE source_id = ? AND seq >= ? ORDER BY seq LIMIT ?")) {
            for (String sourceId : sourceIds) {
                q.setString(1, sourceId);
                q.setLong(2, fromSeq);
                q.setInt(3, limit);
                ResultSet rs = q.executeQuery();
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        out.sort(null);
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }
}
