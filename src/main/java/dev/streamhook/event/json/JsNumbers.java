package dev.streamhook.event.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** ECMAScript Number::toString, built on the shortest digits that Java 19+ Double.toString finds. */
final class JsNumbers {

    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    private static final MathContext ONE_DIGIT_DOWN = new MathContext(1, RoundingMode.FLOOR);
    private static final MathContext ONE_DIGIT_UP = new MathContext(1, RoundingMode.CEILING);

    private JsNumbers() {
    }

    static String format(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == Math.rint(d) && Math.abs(d) <= MAX_SAFE_INTEGER) {
            return Long.toString((long) d); // also turns -0 into "0", as JavaScript does
        }
        if (d < 0) {
            return "-" + formatPositive(-d);
        }
        return formatPositive(d);
    }

    private static String formatPositive(double d) {
        String java = Double.toString(d);
        // Fast path for the usual column value (149.9, 0.0125): from 1e-3 to 1e7 Java writes the
        // same plain notation as JavaScript, and with other than two significant digits the same
        // digits too (see shortestDecimal). Integers never get here, so there is no ".0" to drop.
        if (java.indexOf('E') < 0 && significantDigits(java) != 2) {
            return java;
        }
        BigDecimal shortest = shortestDecimal(d);
        String digits = shortest.unscaledValue().toString();
        int k = digits.length();
        // In the spec's terms the value is digits × 10^(n−k).
        int n = k - shortest.scale();
        if (k <= n && n <= 21) {
            return digits + "0".repeat(n - k);
        }
        if (0 < n && n <= 21) {
            return digits.substring(0, n) + "." + digits.substring(n);
        }
        if (-6 < n && n <= 0) {
            return "0." + "0".repeat(-n) + digits;
        }
        int exponent = n - 1;
        String mantissa = k == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.abs(exponent);
    }

    /** The digits of a plain decimal such as "0.00123" (3) without its leading zeros. */
    private static int significantDigits(String plain) {
        int count = 0;
        for (int i = 0; i < plain.length(); i++) {
            char c = plain.charAt(i);
            if (c >= '1' && c <= '9' || c == '0' && count > 0) {
                count++;
            }
        }
        return count;
    }

    private static BigDecimal shortestDecimal(double d) {
        BigDecimal javaDigits = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        if (javaDigits.precision() != 2) {
            return javaDigits;
        }
        // Java's spec lets a closer two-digit decimal win over a one-digit one (Double.MIN_VALUE
        // prints as 4.9E-324); ECMAScript demands the fewest digits (JavaScript prints 5e-324).
        BigDecimal down = javaDigits.round(ONE_DIGIT_DOWN);
        BigDecimal up = javaDigits.round(ONE_DIGIT_UP);
        boolean downRoundTrips = Double.parseDouble(down.toString()) == d;
        boolean upRoundTrips = Double.parseDouble(up.toString()) == d;
        if (downRoundTrips && upRoundTrips) {
            BigDecimal exact = new BigDecimal(d);
            int cmp = exact.subtract(down).compareTo(up.subtract(exact));
            if (cmp != 0) {
                return cmp < 0 ? down.stripTrailingZeros() : up.stripTrailingZeros();
            }
            return down.unscaledValue().testBit(0) ? up.stripTrailingZeros() : down.stripTrailingZeros();
        }
        if (downRoundTrips) {
            return down.stripTrailingZeros();
        }
        if (upRoundTrips) {
            return up.stripTrailingZeros();
        }
        return javaDigits;
    }
}
