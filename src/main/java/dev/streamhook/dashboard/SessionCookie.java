package dev.streamhook.dashboard;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The dashboard's session cookie, {@code streamhook_session}: reading it from a {@code Cookie}
 * header and writing its {@code Set-Cookie}. The cookie is HttpOnly (no script reads it),
 * SameSite=Strict (no other site's page sends it), Path=/, and Secure when the page came over https.
 * Stateless and thread-safe.
 */
public final class SessionCookie {

    public static final String NAME = "streamhook_session";
    /** What {@link Sessions} issues: 43 base64url characters (32 random bytes). */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

    private SessionCookie() {
    }

    /**
     * The session token in a {@code Cookie} header; empty when there is none that could be one. Of
     * several cookies of that name (a stale one on a parent path), the first well-formed one.
     */
    public static Optional<String> token(String cookieHeader) {
        if (cookieHeader == null) {
            return Optional.empty();
        }
        for (String pair : cookieHeader.split(";")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            if (name.equals(NAME) && TOKEN.matcher(value).matches()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** The {@code Set-Cookie} value that stores {@code token} for {@code maxAge}. */
    public static String issue(String token, Duration maxAge, boolean secure) {
        return NAME + "=" + token + "; Path=/; Max-Age=" + maxAge.toSeconds() + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** The {@code Set-Cookie} value that makes the browser forget the cookie (sign-out). */
    public static String clear(boolean secure) {
        return NAME + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }
}
