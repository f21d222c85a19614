package dev.streamhook.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;

/**
 * The CSRF rule of session requests: a request that can change something (any method but GET,
 * HEAD and OPTIONS) must send its session's token in {@code X-CSRF-Token}. A page on another site
 * cannot read the token, and cannot set that header on a cross-site request without CORS, which
 * this server never grants. Compared in constant time. Stateless and thread-safe.
 */
public final class Csrf {

    public static final String HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    private Csrf() {
    }

    /** True when a request with this method and {@code X-CSRF-Token} value may go on for a session whose token is {@code expected}. */
    public static boolean allows(String method, String sent, String expected) {
        if (SAFE.contains(method.toUpperCase(Locale.ROOT))) {
            return true;
        }
        return sent != null && expected != null
                && MessageDigest.isEqual(sent.trim().getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}
