package dev.streamhook.event;

import java.time.LocalDateTime;

/**
 * {@code yyyy-MM-ddTHH:mm:ss} written by hand, for the timestamps of every captured change (the
 * commit time, and timestamp columns): {@code DateTimeFormatter} cost a twentieth of capture.
 * Years 0 to 9999 only; callers keep other years as they were.
 */
public final class IsoDateTime {

    private IsoDateTime() {
    }

    public static StringBuilder append(StringBuilder out, LocalDateTime t) {
        digits(out, t.getYear(), 4).append('-');
        digits(out, t.getMonthValue(), 2).append('-');
        digits(out, t.getDayOfMonth(), 2).append('T');
        digits(out, t.getHour(), 2).append(':');
        digits(out, t.getMinute(), 2).append(':');
        return digits(out, t.getSecond(), 2);
    }

    /**
     * {@code value} in exactly {@code width} digits, zeros in front. Written from the last digit
     * back, so that every division is by the constant 10, which the JIT turns into a multiply;
     * dividing by a power of ten per digit was a tenth of writing a timestamp.
     */
    public static StringBuilder digits(StringBuilder out, int value, int width) {
        int end = out.length() + width;
        out.setLength(end);
        for (int i = end - 1; i >= end - width; i--) {
            out.setCharAt(i, (char) ('0' + value % 10));
            value /= 10;
        }
        return out;
    }
}
