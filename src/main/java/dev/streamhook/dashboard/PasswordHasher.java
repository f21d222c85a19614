package dev.streamhook.dashboard;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes for dashboard sign-in: PBKDF2 with HMAC-SHA256 (the JDK's
 * {@code PBKDF2WithHmacSHA256}), a random 16-byte salt per password, 32-byte output, stored as
 * {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} (base64). The string names its own cost, so
 * raising {@link #ITERATIONS} later leaves stored hashes valid; {@link #needsRehash} says which to
 * replace at the next sign-in. Compares are constant-time.
 *
 * <p>Each hash or check costs {@link #ITERATIONS} HMAC rounds (about half a second of one core):
 * that is the point, and why sign-in is rate limited. Thread-safe and stateless but for its random source.
 */
public final class PasswordHasher {

    /** OWASP's figure for PBKDF2-HMAC-SHA256 (2023). */
    public static final int ITERATIONS = 600_000;
    public static final int MIN_LENGTH = 10;
    public static final int MAX_LENGTH = 200;
    private static final String SCHEME = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    /** A hash of a password nobody knows, checked for unknown e-mails so they take as long as known ones. */
    private static final String DECOY = SCHEME + "$" + ITERATIONS + "$AAAAAAAAAAAAAAAAAAAAAA==$" + "A".repeat(43) + "=";
    private final SecureRandom random = new SecureRandom();

    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return format(ITERATIONS, salt, derive(password, salt, ITERATIONS));
    }

    /**
     * Whether {@code password} is the one {@code stored} was made from. A null or malformed
     * {@code stored} (an account without a password) still costs one full derivation and is false,
     * so the answer's timing does not tell an unknown account from a wrong password.
     */
    public boolean matches(String password, String stored) {
        Parsed p = parse(stored);
        if (p == null) {
            Parsed decoy = parse(DECOY);
            derive(password, decoy.salt, decoy.iterations);
            return false;
        }
        return MessageDigest.isEqual(derive(password, p.salt, p.iterations), p.hash);
    }

    /** True when {@code stored} was made with fewer iterations than a new hash uses now. */
    public boolean needsRehash(String stored) {
        Parsed p = parse(stored);
        return p == null || p.iterations < ITERATIONS;
    }

    /** Why {@code password} is not acceptable as a new password; null when it is. */
    public static String problem(String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            return "the password must have at least " + MIN_LENGTH + " characters";
        }
        if (password.length() > MAX_LENGTH) {
            return "the password must have at most " + MAX_LENGTH + " characters";
        }
        return null;
    }

    private record Parsed(int iterations, byte[] salt, byte[] hash) {
    }

    private static Parsed parse(String stored) {
        if (stored == null) {
            return null;
        }
        String[] parts = stored.split("\\$");
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            return null;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            return iterations < 1 || salt.length == 0 || hash.length != HASH_BYTES ? null : new Parsed(iterations, salt, hash);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String format(int iterations, byte[] salt, byte[] hash) {
        Base64.Encoder b64 = Base64.getEncoder();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        // PBEKeySpec takes chars; PBKDF2WithHmacSHA256 encodes them as UTF-8, so any password works
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
