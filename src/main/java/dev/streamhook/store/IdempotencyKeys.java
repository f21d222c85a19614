package dev.streamhook.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * The {@code Idempotency-Key}s of each account: the request a key was first used for (a hash) and
 * the answer it got. A key is claimed before its request runs, so two tries at once run it once;
 * the answer is stored when the request succeeded, and the claim released when it failed (nothing
 * was done, so the client may try again with the same key). Keys are kept for {@link #TTL_MILLIS}.
 * Answers are stored as sent, in clear: they hold no secret (the API masks secrets, header values
 * and connection passwords in every answer).
 * Thread-safe: each call is one store transaction.
 */
public final class IdempotencyKeys {

    /** How long a key is remembered: 24 hours. */
    public static final long TTL_MILLIS = 24L * 60 * 60 * 1000;
    /** A claim whose request never finished (the node died) may be taken over after this long. */
    private static final long ABANDONED_MILLIS = 5L * 60 * 1000;

    /** What a key's first use answered. */
    public record Answer(int status, String body) {
    }

    /** The outcome of {@link #claim}. */
    public sealed interface Claim {
        /** The key is new (or expired): run the request, then {@link #complete} or {@link #release}. */
        record Claimed() implements Claim {
        }

        /** The same request ran before; answer as it did. */
        record Replay(Answer answer) implements Claim {
        }

        /** The key was used for a different request. */
        record Mismatch() implements Claim {
        }

        /** The same request is running right now. */
        record InProgress() implements Claim {
        }
    }

    private final Database db;

    public IdempotencyKeys(Database db) {
        this.db = db;
    }

    public Claim claim(String accountId, String key, String requestHash, long now) {
        return db.transaction(c -> {
            try (PreparedStatement expire = c.prepareStatement("DELETE FROM idempotency_keys WHERE created_at < ?")) {
                expire.setLong(1, now - TTL_MILLIS);
                expire.executeUpdate();
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO idempotency_keys (account_id, idem_key, request_hash, created_at) "
                    + "VALUES (?,?,?,?) ON CONFLICT DO NOTHING")) {
                ins.setString(1, accountId);
                ins.setString(2, key);
                ins.setString(3, requestHash);
                ins.setLong(4, now);
                if (ins.executeUpdate() == 1) {
                    return new Claim.Claimed();
                }
            }
            try (PreparedStatement q = c.prepareStatement("SELECT request_hash, status, response, created_at FROM idempotency_keys "
                    + "WHERE account_id = ? AND idem_key = ?" + db.dialect().lockRows())) {
                q.setString(1, accountId);
                q.setString(2, key);
                ResultSet rs = q.executeQuery();
                if (!rs.next()) {
                    return new Claim.InProgress(); // released between our insert and read: the client's retry will claim it
                }
                if (!rs.getString(1).equals(requestHash)) {
                    return new Claim.Mismatch();
                }
                int status = rs.getInt(2);
                if (!rs.wasNull()) {
                    return new Claim.Replay(new Answer(status, rs.getString(3)));
                }
                if (rs.getLong(4) < now - ABANDONED_MILLIS) {
                    try (PreparedStatement retake = c.prepareStatement(
                            "UPDATE idempotency_keys SET created_at = ? WHERE account_id = ? AND idem_key = ?")) {
                        retake.setLong(1, now);
                        retake.setString(2, accountId);
                        retake.setString(3, key);
                        retake.executeUpdate();
                    }
                    return new Claim.Claimed();
                }
                return new Claim.InProgress();
            }
        });
    }

    /** Stores the answer of a claimed key's request. */
    public void complete(String accountId, String key, Answer answer) {
        db.update("UPDATE idempotency_keys SET status = ?, response = ? WHERE account_id = ? AND idem_key = ?",
                answer.status(), answer.body(), accountId, key);
    }

    /** Forgets a claim whose request failed, so the same key may be tried again. */
    public void release(String accountId, String key) {
        db.update("DELETE FROM idempotency_keys WHERE account_id = ? AND idem_key = ? AND status IS NULL", accountId, key);
    }
}
