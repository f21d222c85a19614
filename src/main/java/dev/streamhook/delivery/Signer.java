package dev.streamhook.delivery;

import java.nio.charset.StandardCharsets;
import dev.streamhook.store.Signing;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-StreamHook-Signature} value: {@code sha256=} and the hex HMAC-SHA256 of the exact
 * body bytes, keyed with the secret's UTF-8 bytes; and the Standard Webhooks {@code v1,} signature:
 * the base64 HMAC-SHA256 of {@code id.timestamp.body}, keyed with the bytes the secret's base64 names.
 *
 * <p>Thread-safe. Looking up and keying a {@link Mac} costs more than signing a small body, so
 * each secret's keyed {@code Mac} is kept as a prototype that is never used itself, only cloned
 * per signature: a clone shares nothing mutable, works on any thread (virtual ones included, where
 * a ThreadLocal would build one {@code Mac} per delivery anyway) and never blocks.
 */
public final class Signer {

    private static final String ALGORITHM = "HmacSHA256";
    /** Secrets kept keyed at once; past this the cache starts over, so rotated secrets do not pile up. */
    private static final int MAX_KEYS = 10_000;
    private static final ConcurrentHashMap<String, Mac> KEYED = new ConcurrentHashMap<>();
    /**
     * Marks a cache entry keyed with a standard secret's decoded bytes: the same secret text keys
     * both schemes differently. A NUL never begins a secret the API accepts, so the two cannot meet.
     */
    private static final String STANDARD = "\0standard:";

    private Signer() {
    }

    public static String sign(String secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(macFor(secret).doFinal(body));
    }

    /**
     * One Standard Webhooks signature: {@code v1,} and the base64 HMAC-SHA256 of
     * {@code <id>.<timestamp>.<body>}; {@code secret} is in the {@code whsec_<base64>} form
     * ({@link Signing#standardKey}), whose decoded bytes are the key.
     */
    public static String signStandard(String secret, String id, long timestampSeconds, byte[] body) {
        Mac mac = macFor(STANDARD + secret);
        mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /** A fresh {@code Mac} keyed with {@code secret}, for one signature by one thread. */
    private static Mac macFor(String secret) {
        Mac prototype = KEYED.get(secret);
        if (prototype == null) {
            if (KEYED.size() >= MAX_KEYS) {
                KEYED.clear();
            }
            prototype = keyed(keyBytes(secret));
            KEYED.putIfAbsent(secret, prototype);
        }
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            return keyed(keyBytes(secret)); // a provider without clone support: correct, only slower
        }
    }

    /** The HMAC key a cache entry stands for: a standard secret's decoded bytes, else the secret's UTF-8 bytes. */
    private static byte[] keyBytes(String cacheKey) {
        if (cacheKey.startsWith(STANDARD)) {
            return Signing.standardKey(cacheKey.substring(STANDARD.length()))
                    .orElseThrow(() -> new IllegalArgumentException("not a whsec_<base64> secret of 24 to 64 bytes"));
        }
        return cacheKey.getBytes(StandardCharsets.UTF_8);
    }

    private static Mac keyed(byte[] key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
