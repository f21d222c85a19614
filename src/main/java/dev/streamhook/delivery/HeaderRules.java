package dev.streamhook.delivery;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which extra headers a destination may have sent with its webhooks: a valid HTTP field name that
 * is not one StreamHook sets itself or HTTP/1.1 framing owns, and a value that cannot smuggle in
 * another header. The API refuses a destination that breaks them, and the sender checks again
 * before sending, so a value stored some other way is refused too.
 */
public final class HeaderRules {

    private static final Pattern NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> RESERVED = Set.of("content-type", "content-length", "user-agent", "host", "connection",
            "transfer-encoding", "expect", "upgrade", "te", "trailer", "keep-alive",
            "webhook-id", "webhook-timestamp", "webhook-signature"); // the Standard Webhooks headers signing sends

    private HeaderRules() {
    }

    /** Why the header may not be sent, in words for the user; empty when it may. */
    public static Optional<String> problem(String name, String value) {
        if (!NAME.matcher(name).matches()) {
            return Optional.of("header name '" + name + "' is not a valid HTTP header name");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (RESERVED.contains(lower) || lower.startsWith("x-streamhook-")) {
            return Optional.of("header '" + name + "' is set by StreamHook and cannot be overridden");
        }
        if (!value.chars().allMatch(HeaderRules::isFieldValueChar)) {
            return Optional.of("the value of header '" + name + "' may hold only visible characters, spaces and tabs "
                    + "(no line breaks, control characters or characters beyond U+00FF)");
        }
        return Optional.empty();
    }

    /** RFC 9110 field-value characters: visible ASCII, space, tab, and obs-text (0x80-0xFF). */
    private static boolean isFieldValueChar(int c) {
        return c == '\t' || (c >= 0x20 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF);
    }
}
