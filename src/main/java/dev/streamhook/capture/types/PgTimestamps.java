package dev.streamhook.capture.types;

import dev.streamhook.event.IsoDateTime;
import dev.streamhook.event.json.JsonValue;
import java.time.DateTimeException;
import java.time.LocalDateTime;

/**
 * ISO DateStyle timestamps to the layout of JavaScript's toISOString: a 'T', at least
 * milliseconds, and six fraction digits only when the microseconds are not whole milliseconds.
 * Values outside years 1 to 9999 (BC dates, five-digit years) and infinity stay as printed.
 *
 * <p>The text is read by hand, {@code yyyy-MM-dd HH:mm:ss[.f{1,6}][(+|-)HH[:mm[:ss]]]} with ASCII
 * digits and nothing else; a regex for the same was a sixth of capture's work.
 */
final class PgTimestamps {

    private final String text;
    private int pos;

    private PgTimestamps(String text) {
        this.text = text;
    }

    /** timestamptz: converted to UTC, with 'Z'. */
    static JsonValue withZone(String text) {
        return new PgTimestamps(text).convert(true);
    }

    /** timestamp without time zone: same layout, no conversion and no 'Z'. */
    static JsonValue withoutZone(String text) {
        return new PgTimestamps(text).convert(false);
    }

    private JsonValue convert(boolean zoned) {
        int year = number(4, '-');
        int month = number(2, '-');
        int day = number(2, ' ');
        int hour = number(2, ':');
        int minute = number(2, ':');
        int second = number(2, '\0');
        int micros = fraction();
        boolean hasZone = pos >= 0 && pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-');
        int offsetSeconds = hasZone ? offset() : 0;
        if (pos != text.length() || hasZone != zoned) { // a bad part left pos at -1
            return JsonValue.of(text);
        }
        LocalDateTime local;
        try {
            local = LocalDateTime.of(year, month, day, hour, minute, second).minusSeconds(offsetSeconds);
        } catch (DateTimeException e) {
            return JsonValue.of(text);
        }
        if (local.getYear() < 1 || local.getYear() > 9999) {
            return JsonValue.of(text);
        }
        StringBuilder out = IsoDateTime.append(new StringBuilder(27), local).append('.');
        if (micros % 1000 == 0) {
            IsoDateTime.digits(out, micros / 1000, 3);
        } else {
            IsoDateTime.digits(out, micros, 6);
        }
        return JsonValue.of(out.append(zoned ? "Z" : "").toString());
    }

    /**
     * Exactly {@code digits} ASCII digits, then {@code separator} (none for '\0'). When the text is
     * not that here, pos becomes -1 and stays so through every later read: one check at the end does.
     */
    private int number(int digits, char separator) {
        if (pos < 0 || pos + digits > text.length()) {
            pos = -1;
            return -1;
        }
        int value = 0;
        for (int i = pos; i < pos + digits; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                pos = -1;
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        pos += digits;
        if (separator != '\0') {
            if (pos >= text.length() || text.charAt(pos) != separator) {
                pos = -1;
                return -1;
            }
            pos++;
        }
        return value;
    }

    /** {@code .} and one to six digits, as microseconds; 0 when there is no '.'. */
    private int fraction() {
        if (pos < 0 || pos >= text.length() || text.charAt(pos) != '.') {
            return 0;
        }
        pos++;
        int micros = 0;
        int digits = 0;
        for (char c; digits < 6 && pos < text.length() && (c = text.charAt(pos)) >= '0' && c <= '9'; digits++, pos++) {
            micros = micros * 10 + (c - '0');
        }
        if (digits == 0) {
            pos = -1;
            return -1;
        }
        for (; digits < 6; digits++) {
            micros *= 10;
        }
        return micros;
    }

    /** {@code +HH}, {@code +HH:mm} or {@code +HH:mm:ss} (or '-'), in seconds east of UTC. */
    private int offset() {
        boolean west = text.charAt(pos++) == '-';
        int seconds = number(2, '\0') * 3600;
        for (int unit = 60; unit > 0 && pos > 0 && pos < text.length() && text.charAt(pos) == ':'; unit /= 60) {
            pos++;
            seconds += number(2, '\0') * unit;
        }
        return west ? -seconds : seconds;
    }
}
