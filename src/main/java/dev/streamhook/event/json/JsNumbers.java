package dev.streamhook.event.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** ECMAScript Number::toString, built on the shortest digits that Java 19+ Double.toString finds. */
final class JsNumbers {

    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    /** 10^0 to 10^15, each exactly a double; {@link JsonParser} reads numbers with them too. */
    static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    /** The most decimals {@link #fewDecimals} tries. */
    private static final int FEW_DECIMALS = 9;
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
        String few = fewDecimals(d);
        if (few != null) {
            return few;
        }
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

    /**
     * The usual money and measure values (149.9, 19.99, 1763.57) without Double.toString, which was
     * a tenth of capture: for the smallest k whose m = rint(d × 10^k) gives back d as m / 10^k
     * (IEEE division rounds correctly), m × 10^-k is the shortest decimal of d. With m below
     * 10^15 the decimals of k digits lie further apart than d's rounding interval is wide, so it is
     * the only candidate, the one ECMAScript picks; and rint finds it despite the rounding of the
     * product. Null for other values, and below 10^-6, where JavaScript switches to exponents.
     */
    private static String fewDecimals(double d) {
        if (d < 1e-6) {
            return null;
        }
        for (int k = 1; k <= FEW_DECIMALS; k++) {
            double scaled = d * POWERS_OF_TEN[k];
            if (scaled >= 1e15) {
                return null;
            }
            double m = Math.rint(scaled);
            if (m / POWERS_OF_TEN[k] == d) {
                String digits = Long.toString((long) m);
                int point = digits.length() - k;
                return point > 0 ? digits.substring(0, point) + "." + digits.substring(point) : "0." + "0".repeat(-point) + digits;
            }
        }
        return null;
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
