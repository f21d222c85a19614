package dev.streamhook.store;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a destination's webhooks are signed: the {@link Scheme}, the current secret (null: unsigned)
 * and, during a rotation's grace period, the previous secret and when it stops being used.
 * An immutable value; the delivery side turns it into headers at the moment of each attempt, so a
 * previous secret stops signing exactly when its grace period ends.
 */
public record Signing(Scheme scheme, String secret, String previousSecret, long previousExpiresAt) {

    /** The standard-webhooks form of a secret: {@code whsec_} and the base64 of the key bytes. */
    public static final String STANDARD_PREFIX = "whsec_";
    /** Key sizes the Standard Webhooks specification asks for. */
    public static final int STANDARD_MIN_KEY_BYTES = 24;
    public static final int STANDARD_MAX_KEY_BYTES = 64;

    /**
     * Which signature headers a destination is sent. {@code STREAMHOOK}: the product page's
     * {@code X-StreamHook-Signature: sha256=<hex>} of the body (the default). {@code STANDARD_WEBHOOKS}:
     * {@code webhook-id}, {@code webhook-timestamp} and {@code webhook-signature} of the
     * Standard Webhooks specification. {@code BOTH}: all of them.
     */
    public enum Scheme {
        STREAMHOOK, STANDARD_WEBHOOKS, BOTH;

        /** The name the API and the store use: {@code streamhook}, {@code standard_webhooks}, {@code both}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Scheme> fromWireName(String name) {
            for (Scheme s : values()) {
                if (s.wireName().equals(name)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }

        public boolean sendsStreamHook() {
            return this != STANDARD_WEBHOOKS;
        }

        public boolean sendsStandardWebhooks() {
            return this != STREAMHOOK;
        }
    }

    public Signing {
        if (scheme == null) {
            throw new IllegalArgumentException("a signing scheme is required");
        }
    }

    /** The page's scheme with one secret (null: unsigned) and no previous one. */
    public static Signing of(String secret) {
        return new Signing(Scheme.STREAMHOOK, secret, null, 0);
    }

    /** The secrets that sign at {@code now}, newest first: the current one, then the previous one while its grace lasts. */
    public List<String> secretsAt(long now) {
        List<String> out = new ArrayList<>(2);
        if (secret != null) {
            out.add(secret);
            if (previousSecret != null && now < previousExpiresAt) {
                out.add(previousSecret);
            }
        }
        return out;
    }

    /**
     * The key bytes of a secret in the standard-webhooks form ({@code whsec_} and the base64 of
     * 24 to 64 bytes); empty for any other secret, which only the {@code sha256=} scheme can use.
     */
    public static Optional<byte[]> standardKey(String secret) {
        if (secret == null || !secret.startsWith(STANDARD_PREFIX)) {
            return Optional.empty();
        }
        try {
            byte[] key = Base64.getDecoder().decode(secret.substring(STANDARD_PREFIX.length()));
            return key.length >= STANDARD_MIN_KEY_BYTES && key.length <= STANDARD_MAX_KEY_BYTES ? Optional.of(key) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
