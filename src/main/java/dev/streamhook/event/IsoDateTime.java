package dev.streamhook.event;

import java.time.LocalDateTime;

/**
 * {@code yyyy-MM-ddTHH:mm:ss} written by hand, for the timestamps of every captured change (the
 * commit time, and timestamp columns): {@code DateTimeFormatter} cost a twentieth of capture.
 * Years 0 to 9999 only; callers keep other years as they were.
 */
public final class IsoDateTime {

    /** 10^0 to 10^8: Math.pow for each digit group was a tenth of writing a timestamp. */
    private static final int[] SCALES = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

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

    /** {@code value} in exactly {@code width} digits (at most 9), zeros in front. */
    public static StringBuilder digits(StringBuilder out, int value, int width) {
        for (int scale = SCALES[width - 1]; scale > 0; scale /= 10) {
            out.append((char) ('0' + value / scale % 10));
        }
        return out;
    }
}
