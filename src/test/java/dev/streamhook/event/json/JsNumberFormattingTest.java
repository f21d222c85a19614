package dev.streamhook.event.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Numbers against Node: every case is asked of a single node process up front. */
class JsNumberFormattingTest {

    private static final List<Double> DOUBLES = doubles();
    private static final List<String> NUMBER_TEXTS = numberTexts();
    private static final Map<String, byte[]> NODE = new LinkedHashMap<>();

    @BeforeAll
    static void askNode() throws Exception {
        List<String> requests = new ArrayList<>();
        for (double d : DOUBLES) {
            requests.add(NodeOracle.number(d));
            requests.add(NodeOracle.numberString(d));
        }
        NUMBER_TEXTS.forEach(text -> requests.add(NodeOracle.roundTrip(text)));
        List<byte[]> answers = NodeOracle.ask(requests);
        for (int i = 0; i < requests.size(); i++) {
            NODE.put(requests.get(i), answers.get(i));
        }
    }

    @Test
    void numbersAreFormattedAsJavaScriptFormatsThem() {
        for (double d : DOUBLES) {
            assertThat(JsJson.formatNumber(d))
                    .as("String(%s) (bits %x)", d, Double.doubleToRawLongBits(d))
                    .isEqualTo(node(NodeOracle.numberString(d)));
        }
    }

    @Test
    void numberValuesAreStringifiedAsJavaScriptDoesIncludingNaNAndInfinityAsNull() {
        for (double d : DOUBLES) {
            assertThat(JsJson.stringify(JsonValue.of(d)))
                    .as("JSON.stringify(%s)", d)
                    .isEqualTo(node(NodeOracle.number(d)));
        }
    }

    @Test
    void numberTextsSurviveParseAndStringifyExactlyAsInJavaScript() {
        for (String text : NUMBER_TEXTS) {
            assertThat(JsJson.stringify(JsJson.parse(text)))
                    .as("JSON.stringify(JSON.parse(%s))", text)
                    .isEqualTo(node(NodeOracle.roundTrip(text)));
        }
    }

    @Test
    void theDesignExamplesComeOutAsDocumented() {
        assertThat(JsJson.stringify(JsJson.parse("[99.00,1e21,1e-7,123e-20,-0,0.000001,1.5e300]")))
                .isEqualTo("[99,1e+21,1e-7,1.23e-18,0,0.000001,1.5e+300]");
        assertThat(JsJson.formatNumber(Double.MIN_VALUE)).isEqualTo("5e-324");
    }

    private static String node(String request) {
        return new String(NODE.get(request), StandardCharsets.UTF_8);
    }

    private static List<Double> doubles() {
        List<Double> out = new ArrayList<>(List.of(
                0.0, -0.0, 1.0, -1.0, 99.0, 1e21, 1e-7, 123e-20, 0.000001, 1.5e300, 1e20, 1e-6, 9.999999999999999e20,
                123456789012345680000.0, 0.1, 0.2, 0.1 + 0.2, 1.0 / 3, 2.0 / 3, 100.0, 1e23, 2e23, 5e-324, 1.7976931348623157e308,
                Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, 9007199254740991.0, 9007199254740992.0,
                9007199254740994.0, 18014398509481984.0, 4294967295.0, 4294967296.0, 0.5, 1.5, 123.456, -123.456,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
        for (int e = -330; e <= 310; e++) {
            double power = Double.parseDouble("1e" + e);
            out.addAll(List.of(power, Math.nextUp(power), Math.nextDown(power), -power, 7 * power, Double.parseDouble("1.2e" + e)));
        }
        for (int e = -1074; e <= 1023; e++) {
            double power = Math.scalb(1.0, e);
            out.addAll(List.of(power, Math.nextUp(power), Math.nextDown(power)));
        }
        Random random = new Random(20260313);
        for (int i = 0; i < 20000; i++) {
            out.add(Double.longBitsToDouble(random.nextLong()));
            out.add(Double.longBitsToDouble(random.nextLong() & 0x000F_FFFF_FFFF_FFFFL)); // subnormal
            out.add(random.nextDouble() * Math.pow(10, random.nextInt(60) - 30));
            out.add((double) random.nextLong(1L << 60) / (1L << random.nextInt(60)));
            double oneDigit = (random.nextInt(9) + 1) * Math.pow(10, random.nextInt(600) - 300);
            out.addAll(List.of(oneDigit, Math.nextUp(oneDigit), Math.nextDown(oneDigit)));
            // few decimals, as numeric and money columns have them
            double fewDecimals = random.nextLong((long) Math.pow(10, 1 + random.nextInt(16))) / Math.pow(10, 1 + random.nextInt(9));
            out.addAll(List.of(fewDecimals, Math.nextUp(fewDecimals), Math.nextDown(fewDecimals), -fewDecimals));
        }
        for (int k = 1; k <= 16; k++) {
            double justBelowAPower = 1 - Math.pow(10, -k);
            out.addAll(List.of(justBelowAPower, 10 * justBelowAPower, 1000 * justBelowAPower, justBelowAPower / 1000,
                    999_999_999_999_999.0 / Math.pow(10, k), 100_000_000_000_000.1 / Math.pow(10, k), 1e-6 + Math.pow(10, -6 - k)));
        }
        return out;
    }

    private static List<String> numberTexts() {
        List<String> out = new ArrayList<>(List.of(
                "99.00", "1E21", "1e+21", "-0", "-0.0", "0e0", "1e400", "-1e400", "1e-400", "12345678901234567890123",
                "0.1e1", "123e-20", "9007199254740993", "-9007199254740993", "18446744073709551615", "0.30000000000000004",
                "2.2250738585072011e-308", "4.9406564584124654e-324", "2.4703282292062328e-324", "2.4703282292062327e-324",
                "1.7976931348623158e308", "1.7976931348623159e308", "1e-7", "1.0000000000000001", "100000000000000000000000000000000"));
        Random random = new Random(7);
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder(random.nextBoolean() ? "-" : "");
            text.append(random.nextInt(9) + 1);
            random.ints(random.nextInt(40), 0, 10).forEach(text::append);
            if (random.nextBoolean()) {
                text.append('.');
                random.ints(random.nextInt(30) + 1, 0, 10).forEach(text::append);
            }
            if (random.nextBoolean()) {
                text.append(random.nextBoolean() ? 'e' : 'E').append(random.nextInt(700) - 350);
            }
            out.add(text.toString());
        }
        return out;
    }
}
