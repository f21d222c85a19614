package dev.streamhook.capture.types;

import dev.streamhook.event.IsoDateTime;
import dev.streamhook.event.json.JsonValue;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PgTimestamps as it was, with a regex: the reference its hand-written reader must agree with
 * (PgTimestampsTest). Kept unchanged but for its name. Its comment was:
 * ISO DateStyle timestamps to the layout of JavaScript's toISOString: a 'T', at least
 * milliseconds, and six fraction digits only when the microseconds are not whole milliseconds.
 * Values outside years 1 to 9999 (BC dates, five-digit years) and infinity stay as printed.
 */
final class PreviousPgTimestamps {

    private static final Pattern ISO = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?"
                    + "(?:([+-])(\\d{2})(?::(\\d{2}))?(?::(\\d{2}))?)?");

    private PreviousPgTimestamps() {
    }

    /** timestamptz: converted to UTC, with 'Z'. */
    static JsonValue withZone(String text) {
        Matcher m = ISO.matcher(text);
        if (!m.matches() || m.group(8) == null) {
            return JsonValue.of(text);
        }
        int offsetSeconds = number(m, 9) * 3600 + number(m, 10) * 60 + number(m, 11);
        if (m.group(8).equals("-")) {
            offsetSeconds = -offsetSeconds;
        }
        return format(m, offsetSeconds, "Z", text);
    }

    /** timestamp without time zone: same layout, no conversion and no 'Z'. */
    static JsonValue withoutZone(String text) {
        Matcher m = ISO.matcher(text);
        if (!m.matches() || m.group(8) != null) {
            return JsonValue.of(text);
        }
        return format(m, 0, "", text);
    }

    private static JsonValue format(Matcher m, int offsetSeconds, String suffix, String text) {
        LocalDateTime local;
        try {
            local = LocalDateTime.of(number(m, 1), number(m, 2), number(m, 3), number(m, 4), number(m, 5), number(m, 6))
                    .minusSeconds(offsetSeconds);
        } catch (DateTimeException e) {
            return JsonValue.of(text);
        }
        if (local.getYear() < 1 || local.getYear() > 9999) {
            return JsonValue.of(text);
        }
        String micros = m.group(7) == null ? "000000" : (m.group(7) + "00000").substring(0, 6);
        String fraction = micros.endsWith("000") ? micros.substring(0, 3) : micros;
        StringBuilder out = IsoDateTime.append(new StringBuilder(27), local);
        return JsonValue.of(out.append('.').append(fraction).append(suffix).toString());
    }

    private static int number(Matcher m, int group) {
        return m.group(group) == null ? 0 : Integer.parseInt(m.group(group));
    }
}
