package dev.streamhook.dashboard;

import dev.streamhook.store.Accounts.Account;
import dev.streamhook.store.Accounts.Role;
import dev.streamhook.store.Database;
import dev.streamhook.store.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Dashboard sessions in the store ({@code dashboard_sessions}), so every node of an installation
 * knows them and a restart signs nobody out. The cookie holds a random 256-bit token; the store
 * keeps only its SHA-256 (a copy of the store opens no session). A session ends after
 * {@code idle} without a request, and at the latest {@link #MAX_AGE} after sign-in.
 *
 * <p>Thread-safe: every method is one read or one write transaction of the {@link Database}.
 */
public final class Sessions {

    /** The longest a session lives, however busy: a stolen cookie is not good for ever. */
    public static final Duration MAX_AGE = Duration.ofDays(7);
    /** How stale {@code last_seen_at} may get before a request writes it again: one write a minute per session at most. */
    private static final long TOUCH_EVERY_MS = 60_000;

    /** A session as a request finds it: its account and the CSRF token it must send. */
    public record Session(String idHash, Account account, String csrfToken, long expiresAt) {
    }

    /** A new session: the cookie's token (the only copy in clear) and its CSRF token. */
    public record Opened(String token, String csrfToken) {
    }

    private final Database db;
    private final Duration idle;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public Sessions(Database db, Duration idle, Clock clock) {
        this.db = db;
        this.idle = idle;
        this.clock = clock;
    }

    /** Opens a session for the account; also deletes expired sessions, so the table does not grow with sign-ins. */
    public Opened open(String accountId) {
        String token = randomToken();
        String csrf = randomToken();
        long now = clock.millis();
        db.transaction(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM dashboard_sessions WHERE expires_at <= ?")) {
                del.setLong(1, now);
                del.executeUpdate();
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO dashboard_sessions "
                    + "(id_hash, account_id, csrf_token, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                ins.setString(1, hash(token));
                ins.setString(2, accountId);
                ins.setString(3, csrf);
                ins.setLong(4, now);
                ins.setLong(5, now + Math.min(idle.toMillis(), MAX_AGE.toMillis()));
                ins.setLong(6, now);
                ins.executeUpdate();
            }
            return null;
        });
        return new Opened(token, csrf);
    }

    /**
     * The live session of the cookie's {@code token}; empty when unknown or expired. A found session
     * is extended to {@code idle} from now (never past {@link #MAX_AGE} from its sign-in), written
     * at most once a minute.
     */
    public Optional<Session> find(String token) {
        String idHash = hash(token);
        long now = clock.millis();
        record Row(Session session, long createdAt, long lastSeenAt) {
        }
        Optional<Row> row = db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT a.id, a.email, a.role, a.created_at, s.csrf_token, s.expires_at, s.created_at, "
                    + "s.last_seen_at, s.id_hash FROM dashboard_sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = ?")) {
                q.setString(1, idHash);
                ResultSet rs = q.executeQuery();
                // the index found the row by its hash; compare once more in constant time, whatever the store's collation
                if (!rs.next() || !MessageDigest.isEqual(rs.getString(9).getBytes(StandardCharsets.US_ASCII),
                        idHash.getBytes(StandardCharsets.US_ASCII))) {
                    return Optional.empty();
                }
                Account account = new Account(rs.getString(1), rs.getString(2), "admin".equals(rs.getString(3)) ? Role.ADMIN : Role.USER,
                        rs.getLong(4));
                return Optional.of(new Row(new Session(idHash, account, rs.getString(5), rs.getLong(6)), rs.getLong(7), rs.getLong(8)));
            }
        });
        if (row.isEmpty() || row.get().session().expiresAt() <= now) {
            return Optional.empty();
        }
        if (now - row.get().lastSeenAt() >= TOUCH_EVERY_MS) {
            long expires = Math.min(now + idle.toMillis(), row.get().createdAt() + MAX_AGE.toMillis());
            db.update("UPDATE dashboard_sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?", now, expires, idHash);
        }
        return Optional.of(row.get().session());
    }

    /** Ends the session (sign-out); nothing happens for an unknown token. */
    public void close(String token) {
        db.update("DELETE FROM dashboard_sessions WHERE id_hash = ?", hash(token));
    }

    /** Ends every session of the account but none other: after its password changed, other browsers must sign in again. */
    public void closeAll(String accountId) {
        db.update("DELETE FROM dashboard_sessions WHERE account_id = ?", accountId);
    }

    /** How long a new or busy session lives without a request. */
    public Duration idle() {
        return idle;
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String hash(String token) {
        return Sha256.hex(token);
    }
}
