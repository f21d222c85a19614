package dev.streamhook.delivery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-StreamHook-Signature} value: {@code sha256=} and the hex HMAC-SHA256 of the exact
 * body bytes, keyed with the secret's UTF-8 bytes.
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

    private Signer() {
    }

    public static String sign(String secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(macFor(secret).doFinal(body));
    }

    /** A fresh {@code Mac} keyed with {@code secret}, for one signature by one thread. */
    private static Mac macFor(String secret) {
        Mac prototype = KEYED.get(secret);
        if (prototype == null) {
            if (KEYED.size() >= MAX_KEYS) {
                KEYED.clear();
            }
            prototype = keyed(secret);
            KEYED.putIfAbsent(secret, prototype);
        }
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            return keyed(secret); // a provider without clone support: correct, only slower
        }
    }

    private static Mac keyed(String secret) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
