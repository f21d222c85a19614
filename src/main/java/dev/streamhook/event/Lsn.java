package dev.streamhook.event;

/**
 * A PostgreSQL WAL position (log sequence number). Printed the way PostgreSQL prints it,
 * {@code 16/B374D848}: the high and low 32 bits in upper-case hex, separated by a slash.
 * Compared as an unsigned 64-bit number.
 */
public record Lsn(long value) implements Comparable<Lsn> {

    public static final Lsn ZERO = new Lsn(0);
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Parses PostgreSQL's {@code X/X} form; throws IllegalArgumentException naming the bad text. */
    public static Lsn parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("not an LSN (expected hex/hex such as 0/1A2B3C4): " + text);
        }
        try {
            long high = Long.parseLong(text.substring(0, slash), 16);
            long low = Long.parseLong(text.substring(slash + 1), 16);
            if (high > 0xFFFFFFFFL || low > 0xFFFFFFFFL || high < 0 || low < 0) {
                throw new NumberFormatException();
            }
            return new Lsn(high << 32 | low);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN (expected hex/hex such as 0/1A2B3C4): " + text);
        }
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    /** Written digit by digit: capture prints two per event, and toHexString().toUpperCase() copied each twice. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(17);
        hex(out, value >>> 32).append('/');
        return hex(out, value & 0xFFFFFFFFL).toString();
    }

    /** Upper-case hex of {@code half} (below 2^32) without leading zeros, "0" for 0. */
    private static StringBuilder hex(StringBuilder out, long half) {
        for (int shift = (63 - Long.numberOfLeadingZeros(half | 1)) / 4 * 4; shift >= 0; shift -= 4) {
            out.append(HEX[(int) (half >>> shift) & 0xF]);
        }
        return out;
    }
}
