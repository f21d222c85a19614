package dev.streamhook.capture.types;

import dev.streamhook.event.json.JsJson;
import dev.streamhook.event.json.JsonValue;
import java.math.BigDecimal;

/** Numbers become JSON numbers only when a JavaScript number holds them exactly; otherwise text. */
final class PgNumbers {

    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private PgNumbers() {
    }

    static JsonValue integer(String text) {
        try {
            return JsonValue.of((double) Long.parseLong(text));
        } catch (NumberFormatException e) {
            return JsonValue.of(text);
        }
    }

    static JsonValue bigint(String text) {
        try {
            long value = Long.parseLong(text);
            return value >= -MAX_SAFE_INTEGER && value <= MAX_SAFE_INTEGER ? JsonValue.of((double) value) : JsonValue.of(text);
        } catch (NumberFormatException e) {
            return JsonValue.of(text);
        }
    }

    /** float4 too is read as a double: its shortest text ("0.1") is what users expect to see. */
    static JsonValue floatingPoint(String text) {
        if (isSpecial(text)) {
            return JsonValue.of(text);
        }
        try {
            return JsonValue.of(Double.parseDouble(text));
        } catch (NumberFormatException e) {
            return JsonValue.of(text);
        }
    }

    /** A number when JavaScript's rendering of the nearest double is the same decimal value. */
    static JsonValue numeric(String text) {
        if (isSpecial(text)) {
            return JsonValue.of(text);
        }
        if (fewDigits(text)) {
            return JsonValue.of(Double.parseDouble(text));
        }
        try {
            BigDecimal exact = new BigDecimal(text);
            double nearest = Double.parseDouble(text);
            if (Double.isFinite(nearest) && new BigDecimal(JsJson.formatNumber(nearest)).compareTo(exact) == 0) {
                return JsonValue.of(nearest);
            }
        } catch (NumberFormatException e) {
            // not numeric output after all; fall through to the text
        }
        return JsonValue.of(text);
    }

    /**
     * {@code -?\d+(\.\d+)?} of at most 15 digits: a decimal like that is the shortest one of its
     * nearest double (doubles hold 15 significant digits), so JavaScript shows it unchanged and
     * the BigDecimal check, a twentieth of capture for a numeric column, can be skipped.
     */
    private static boolean fewDigits(String text) {
        int digits = 0;
        boolean point = false;
        for (int i = text.startsWith("-") ? 1 : 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' && !point && digits > 0 && i < text.length() - 1) {
                point = true;
            } else {
                return false;
            }
        }
        return digits > 0 && digits <= 15;
    }

    private static boolean isSpecial(String text) {
        return text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity");
    }
}
