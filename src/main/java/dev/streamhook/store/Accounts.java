package dev.streamhook.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Accounts and their API keys. A key is shown once, when it is made; the store keeps only its
 * SHA-256, which is enough for a key of 190 random bits (no salt or slow hash is needed: there is
 * no dictionary to guess from).
 */
public final class Accounts {

    public record Account(String id, String email, long createdAt) {
    }

    /** A new account with the only copy of its key in clear. */
    public record Created(Account account, String apiKey) {
    }

    private static final char[] KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private final Database db;
    private final SecureRandom random = new SecureRandom();

    public Accounts(Database db) {
        this.db = db;
    }

    /** Creates the account and its first key; empty when the email is taken. */
    public Optional<Created> create(String email) {
        String key = newKey();
        return db.transaction(c -> {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM accounts WHERE email = ?")) {
                exists.setString(1, email);
                if (exists.executeQuery().next()) {
                    return Optional.empty();
                }
            }
            Account account = new Account(Ids.random("acc_", 16), email, System.currentTimeMillis());
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO accounts (id, email, created_at) VALUES (?, ?, ?)")) {
                ins.setString(1, account.id());
                ins.setString(2, account.email());
                ins.setLong(3, account.createdAt());
                ins.executeUpdate();
            }
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO api_keys (key_hash, account_id, key_prefix, created_at) VALUES (?, ?, ?, ?)")) {
                ins.setString(1, hash(key));
                ins.setString(2, account.id());
                ins.setString(3, key.substring(0, 12));
                ins.setLong(4, account.createdAt());
                ins.executeUpdate();
            }
            return Optional.of(new Created(account, key));
        });
    }

    public Optional<Account> findByApiKey(String apiKey) {
        String keyHash = hash(apiKey);
        return db.read(c -> {
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT a.id, a.email, a.created_at FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = ?")) {
                q.setString(1, keyHash);
                ResultSet rs = q.executeQuery();
                return rs.next() ? Optional.of(new Account(rs.getString(1), rs.getString(2), rs.getLong(3))) : Optional.empty();
            }
        });
    }

    private String newKey() {
        StringBuilder sb = new StringBuilder("sk_live_");
        for (int i = 0; i < 32; i++) {
            sb.append(KEY_ALPHABET[random.nextInt(KEY_ALPHABET.length)]);
        }
        return sb.toString();
    }

    static String hash(String apiKey) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
