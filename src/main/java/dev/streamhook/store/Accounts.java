package dev.streamhook.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Accounts and their API keys. A key is shown once, when it is made; the store keeps only its
 * SHA-256, which is enough for a key of 190 random bits (no salt or slow hash is needed: there is
 * no dictionary to guess from).
 *
 * <p>Finding a key is a lookup of its SHA-256 in an index. How long that takes may depend on how
 * many leading bytes of the hash match a stored hash, but a caller cannot steer the hash of what
 * it sends towards a stored one (that would take a SHA-256 preimage), so the timing says nothing
 * about any stored key: the lookup is constant-time with respect to the key. The hash found is
 * compared once more with {@link MessageDigest#isEqual} (a constant-time compare), so no collation
 * or case folding of the store can let a different key in.
 *
 * <p>Thread-safe: every method is one read or one write transaction of the {@link Database}.
 */
public final class Accounts {

    public enum Role { ADMIN, USER }

    public record Account(String id, String email, Role role, long createdAt) {
        public boolean admin() {
            return role == Role.ADMIN;
        }
    }

    /** A key as listed: never the key itself, only its first characters to recognise it. */
    public record ApiKey(String id, String accountId, String name, String prefix, long createdAt, Long lastUsedAt) {
    }

    /** A new account with the only copy of its first key in clear. */
    public record Created(Account account, ApiKey key, String apiKey) {
    }

    /** A new key with the only copy of it in clear. */
    public record CreatedKey(ApiKey key, String apiKey) {
    }

    /**
     * Who a request comes from: the account, and the key it used ({@code keyId}); {@code keyId} is
     * null for a signed-in browser, which uses no key.
     */
    public record Caller(Account account, String keyId) {
    }

    /** An account with its password hash (a PBKDF2 string the dashboard wrote; null when none was set). */
    public record Login(Account account, String passwordHash) {
    }

    public enum Revoked { REVOKED, NOT_FOUND, LAST_KEY }

    /** The admin account's address: fixed, so two nodes starting at once on one store make one admin. */
    public static final String ADMIN_EMAIL = "admin@streamhook.invalid";
    private static final char[] KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final String ACCOUNT_COLUMNS = "a.id, a.email, a.role, a.created_at";
    private final Database db;
    private final SecureRandom random = new SecureRandom();

    public Accounts(Database db) {
        this.db = db;
    }

    /** Creates a user account and its first key; empty when the email is taken. */
    public Optional<Created> create(String email) {
        return create(email, Role.USER, "default", null);
    }

    /** Creates a user account with a password (the dashboard's sign-up) and its first key; empty when the email is taken. */
    public Optional<Created> create(String email, String passwordHash) {
        return create(email, Role.USER, "default", passwordHash);
    }

    /**
     * Creates the admin account and its key when there is no admin yet; empty when there is one
     * (on every start but the first). The key exists in clear only in what this returns.
     */
    public Optional<Created> createAdminIfNone() {
        boolean exists = db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM accounts WHERE role = 'admin'")) {
                return q.executeQuery().next();
            }
        });
        return exists ? Optional.empty() : create(ADMIN_EMAIL, Role.ADMIN, "admin", null);
    }

    private Optional<Created> create(String email, Role role, String keyName, String passwordHash) {
        String key = newKey();
        return db.transaction(c -> {
            long now = System.currentTimeMillis();
            Account account = new Account(Ids.random("acc_", 16), email, role, now);
            // ON CONFLICT: a taken email (or a second node making the admin at the same time) inserts nothing
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO accounts (id, email, role, created_at, password_hash) VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING")) {
                ins.setString(1, account.id());
                ins.setString(2, account.email());
                ins.setString(3, role.name().toLowerCase());
                ins.setLong(4, account.createdAt());
                ins.setString(5, passwordHash);
                if (ins.executeUpdate() == 0) {
                    return Optional.empty();
                }
            }
            ApiKey stored = insertKey(c, account.id(), keyName, key, now);
            return Optional.of(new Created(account, stored, key));
        });
    }

    /** A new key for the account, named {@code name} (may be null). */
    public CreatedKey createKey(String accountId, String name) {
        String key = newKey();
        return db.transaction(c -> new CreatedKey(insertKey(c, accountId, name, key, System.currentTimeMillis()), key));
    }

    private ApiKey insertKey(Connection c, String accountId, String name, String key, long now) throws SQLException {
        ApiKey stored = new ApiKey(Ids.random("key_", 16), accountId, name, key.substring(0, 12), now, null);
        try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO api_keys (key_hash, id, account_id, name, key_prefix, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ins.setString(1, hash(key));
            ins.setString(2, stored.id());
            ins.setString(3, accountId);
            ins.setString(4, name);
            ins.setString(5, stored.prefix());
            ins.setLong(6, now);
            ins.executeUpdate();
        }
        return stored;
    }

    /** The account's keys, oldest first. */
    public List<ApiKey> listKeys(String accountId) {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT id, account_id, name, key_prefix, created_at, last_used_at FROM api_keys WHERE account_id = ? ORDER BY created_at, id")) {
                q.setString(1, accountId);
                ResultSet rs = q.executeQuery();
                List<ApiKey> out = new ArrayList<>();
                while (rs.next()) {
                    long lastUsed = rs.getLong(6);
                    out.add(new ApiKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                            rs.wasNull() ? null : lastUsed));
                }
                return out;
            }
        });
    }

    /**
     * Deletes the account's key {@code keyId}; a deleted key is refused from the next request on
     * (keys are looked up in the store on every request, never cached). The last key of an account
     * is kept: without a key nobody could reach the account again.
     */
    public Revoked revokeKey(String accountId, String keyId) {
        return db.transaction(c -> {
            int keys;
            boolean found = false;
            try (PreparedStatement q = c.prepareStatement("SELECT id FROM api_keys WHERE account_id = ?")) {
                q.setString(1, accountId);
                ResultSet rs = q.executeQuery();
                keys = 0;
                while (rs.next()) {
                    keys++;
                    found |= rs.getString(1).equals(keyId);
                }
            }
            if (!found) {
                return Revoked.NOT_FOUND;
            }
            if (keys == 1) {
                return Revoked.LAST_KEY;
            }
            try (PreparedStatement del = c.prepareStatement("DELETE FROM api_keys WHERE id = ? AND account_id = ?")) {
                del.setString(1, keyId);
                del.setString(2, accountId);
                del.executeUpdate();
            }
            return Revoked.REVOKED;
        });
    }

    /** The account and key that {@code apiKey} opens; empty for an unknown or revoked key. */
    public Optional<Caller> findByApiKey(String apiKey) {
        String keyHash = hash(apiKey);
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT " + ACCOUNT_COLUMNS + ", k.id, k.key_hash"
                    + " FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = ?")) {
                q.setString(1, keyHash);
                ResultSet rs = q.executeQuery();
                if (!rs.next() || !MessageDigest.isEqual(rs.getString(6).getBytes(StandardCharsets.US_ASCII),
                        keyHash.getBytes(StandardCharsets.US_ASCII))) {
                    return Optional.empty();
                }
                return Optional.of(new Caller(account(rs), rs.getString(5)));
            }
        });
    }

    /** The account with this email and its password hash; empty when there is no such account. */
    public Optional<Login> findLogin(String email) {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT " + ACCOUNT_COLUMNS + ", a.password_hash FROM accounts a WHERE a.email = ?")) {
                q.setString(1, email);
                ResultSet rs = q.executeQuery();
                return rs.next() ? Optional.of(new Login(account(rs), rs.getString(5))) : Optional.empty();
            }
        });
    }

    /** The account with this id; empty when it was deleted. */
    public Optional<Account> find(String accountId) {
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT " + ACCOUNT_COLUMNS + " FROM accounts a WHERE a.id = ?")) {
                q.setString(1, accountId);
                ResultSet rs = q.executeQuery();
                return rs.next() ? Optional.of(account(rs)) : Optional.empty();
            }
        });
    }

    /** Sets (or replaces) the account's password hash. */
    public void setPassword(String accountId, String passwordHash) {
        db.update("UPDATE accounts SET password_hash = ? WHERE id = ?", passwordHash, accountId);
    }

    /** Records when keys were last used ({@code keyId -> epoch millis}), in one write. */
    public void recordUse(Map<String, Long> lastUsedByKey) {
        if (lastUsedByKey.isEmpty()) {
            return;
        }
        db.transaction(c -> {
            try (PreparedStatement up = c.prepareStatement(
                    "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")) {
                for (Map.Entry<String, Long> e : lastUsedByKey.entrySet()) {
                    up.setLong(1, e.getValue());
                    up.setString(2, e.getKey());
                    up.setLong(3, e.getValue());
                    up.addBatch();
                }
                up.executeBatch();
            }
            return null;
        });
    }

    private static Account account(ResultSet rs) throws SQLException {
        return new Account(rs.getString(1), rs.getString(2), "admin".equals(rs.getString(3)) ? Role.ADMIN : Role.USER, rs.getLong(4));
    }

    private String newKey() {
        StringBuilder sb = new StringBuilder("sk_live_");
        for (int i = 0; i < 32; i++) {
            sb.append(KEY_ALPHABET[random.nextInt(KEY_ALPHABET.length)]);
        }
        return sb.toString();
    }

    static String hash(String apiKey) {
        return Sha256.hex(apiKey);
    }
}
