package dev.streamhook.event.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * JSON written straight as UTF-8 into a growing byte array: the bytes of JavaScript's
 * {@code JSON.stringify} output, without the StringBuilder, String and getBytes copies between
 * (those were a fifth of capture's work). Lone surrogates are escaped, so the bytes are always
 * well-formed UTF-8. Not thread-safe.
 */
public final class JsonBytes {

    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private byte[] bytes;
    private int length;

    public JsonBytes(int capacity) {
        bytes = new byte[Math.max(capacity, 16)];
    }

    /** JavaScript's {@code JSON.stringify(v)}. */
    public JsonBytes value(JsonValue v) {
        JsJson.write(v, this);
        return this;
    }

    /**
     * Text written as it is, for the punctuation and names of a fixed layout. Every char must be
     * printable ASCII other than {@code "} and {@code \}, which is not checked.
     */
    public JsonBytes raw(String ascii) {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[length + i] = (byte) ascii.charAt(i);
        }
        length += n;
        return this;
    }

    /** JavaScript's {@code JSON.stringify(s)}. */
    public JsonBytes string(String s) {
        int n = s.length();
        ensure(n + 2);
        byte[] b = bytes;
        int at = length;
        b[at++] = '"';
        int i = 0;
        // Most strings are ASCII that needs no escape: one byte per char, capacity already ensured.
        for (char c; i < n && (c = s.charAt(i)) < 0x80 && c >= 0x20 && c != '"' && c != '\\'; i++) {
            b[at++] = (byte) c;
        }
        length = at;
        if (i < n) {
            rest(s, i);
        }
        ensure(1);
        bytes[length++] = '"';
        return this;
    }

    public JsonBytes bool(boolean value) {
        return append(value ? TRUE : FALSE);
    }

    public JsonBytes nullValue() {
        return append(NULL);
    }

    /** JavaScript's {@code JSON.stringify(d)}: NaN and the infinities as {@code null}. */
    public JsonBytes number(double d) {
        if (d == Math.rint(d) && Math.abs(d) <= MAX_SAFE_INTEGER) {
            return integer((long) d); // also turns -0 into "0", as JavaScript does
        }
        return Double.isFinite(d) ? raw(JsNumbers.format(d)) : append(NULL);
    }

    /** A whole number of at most 2^53 in magnitude, as JavaScript writes it. */
    private JsonBytes integer(long value) {
        ensure(20);
        if (value < 0) {
            bytes[length++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long rest = value / 10; rest != 0; rest /= 10) {
            digits++;
        }
        for (int i = length + digits - 1; i >= length; i--) {
            bytes[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += digits;
        return this;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    /** The text the bytes encode (lossless: lone surrogates are escaped). */
    String text() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private JsonBytes append(byte[] ascii) {
        ensure(ascii.length);
        System.arraycopy(ascii, 0, bytes, length, ascii.length);
        length += ascii.length;
        return this;
    }

    /** The chars of {@code s} from {@code i} on, escaped and encoded one by one. */
    private void rest(String s, int i) {
        int n = s.length();
        for (; i < n; i++) {
            char c = s.charAt(i);
            ensure(6);
            if (c < 0x80) {
                switch (c) {
                    case '"' -> escape('"');
                    case '\\' -> escape('\\');
                    case '\b' -> escape('b');
                    case '\f' -> escape('f');
                    case '\n' -> escape('n');
                    case '\r' -> escape('r');
                    case '\t' -> escape('t');
                    default -> {
                        if (c < 0x20) {
                            unicodeEscape(c);
                        } else {
                            bytes[length++] = (byte) c;
                        }
                    }
                }
            } else if (c < 0x800) {
                bytes[length++] = (byte) (0xC0 | c >> 6);
                bytes[length++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                bytes[length++] = (byte) (0xF0 | cp >> 18);
                bytes[length++] = (byte) (0x80 | cp >> 12 & 0x3F);
                bytes[length++] = (byte) (0x80 | cp >> 6 & 0x3F);
                bytes[length++] = (byte) (0x80 | cp & 0x3F);
            } else if (Character.isSurrogate(c)) {
                unicodeEscape(c); // ES2019 well-formed JSON.stringify
            } else {
                bytes[length++] = (byte) (0xE0 | c >> 12);
                bytes[length++] = (byte) (0x80 | c >> 6 & 0x3F);
                bytes[length++] = (byte) (0x80 | c & 0x3F);
            }
        }
    }

    private void escape(char c) {
        bytes[length++] = '\\';
        bytes[length++] = (byte) c;
    }

    private void unicodeEscape(char c) {
        bytes[length++] = '\\';
        bytes[length++] = 'u';
        bytes[length++] = HEX[c >> 12 & 0xF];
        bytes[length++] = HEX[c >> 8 & 0xF];
        bytes[length++] = HEX[c >> 4 & 0xF];
        bytes[length++] = HEX[c & 0xF];
    }

    private void ensure(int more) {
        if (bytes.length - length < more) {
            long wanted = Math.min(Math.max(2L * bytes.length, (long) length + more), Integer.MAX_VALUE - 8);
            if (wanted < (long) length + more) {
                throw new OutOfMemoryError("JSON text of more than 2 GB");
            }
            bytes = Arrays.copyOf(bytes, (int) wanted);
        }
    }

    /** One byte of punctuation ({@code [ ] { } , :}). */
    void punctuation(char c) {
        ensure(1);
        bytes[length++] = (byte) c;
    }
}
