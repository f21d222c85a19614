package dev.streamhook.capture.types;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.event.json.JsJson;
import org.junit.jupiter.api.Test;

/** Fixtures are PostgreSQL's text output; results are compared as the JSON we would send. */
class PgTypesTest {

    private static String json(int oid, String text) {
        return JsJson.stringify(PgTypes.toJson(oid, text));
    }

    @Test
    void smallIntegersAndOidsAreNumbers() {
        assertThat(json(21, "-32768")).isEqualTo("-32768");
        assertThat(json(23, "2147483647")).isEqualTo("2147483647");
        assertThat(json(26, "4294967295")).isEqualTo("4294967295");
    }

    @Test
    void bigintsAreNumbersUpToTheLargestSafeIntegerAndExactStringsBeyond() {
        assertThat(json(20, "9007199254740991")).isEqualTo("9007199254740991");
        assertThat(json(20, "-9007199254740991")).isEqualTo("-9007199254740991");
        assertThat(json(20, "9007199254740992")).isEqualTo("\"9007199254740992\"");
        assertThat(json(20, "-9223372036854775808")).isEqualTo("\"-9223372036854775808\"");
    }

    @Test
    void floatsAreNumbersAndTheirSpecialValuesAreStrings() {
        assertThat(json(700, "0.1")).isEqualTo("0.1");
        assertThat(json(701, "1e+21")).isEqualTo("1e+21");
        assertThat(json(701, "-0")).isEqualTo("0");
        assertThat(json(701, "1.2345678901234568e-300")).isEqualTo("1.2345678901234568e-300");
        assertThat(json(700, "NaN")).isEqualTo("\"NaN\"");
        assertThat(json(701, "Infinity")).isEqualTo("\"Infinity\"");
        assertThat(json(701, "-Infinity")).isEqualTo("\"-Infinity\"");
    }

    @Test
    void numericsAreNumbersOnlyWhenJavaScriptShowsTheSameDecimalValue() {
        assertThat(json(1700, "99.00")).isEqualTo("99");
        assertThat(json(1700, "0.1")).isEqualTo("0.1");
        assertThat(json(1700, "-12.50")).isEqualTo("-12.5");
        assertThat(json(1700, "0.000000100")).isEqualTo("1e-7");
        assertThat(json(1700, "1000000000000000000000")).isEqualTo("1e+21");
        assertThat(json(1700, "9007199254740993")).isEqualTo("\"9007199254740993\"");
        assertThat(json(1700, "12345678901234567890")).isEqualTo("\"12345678901234567890\"");
        assertThat(json(1700, "1.000000000000000000001")).isEqualTo("\"1.000000000000000000001\"");
        assertThat(json(1700, "0.30000000000000000")).isEqualTo("0.3");
        assertThat(json(1700, "1" + "0".repeat(400))).isEqualTo("\"1" + "0".repeat(400) + "\"");
        assertThat(json(1700, "NaN")).isEqualTo("\"NaN\"");
        assertThat(json(1700, "Infinity")).isEqualTo("\"Infinity\"");
        assertThat(json(1700, "-Infinity")).isEqualTo("\"-Infinity\"");
    }

    @Test
    void numericsOfAtMost15DigitsAreNumbersThatJavaScriptShowsAsTheSameDecimal() {
        java.util.Random random = new java.util.Random(1700);
        for (int i = 0; i < 200_000; i++) {
            int digits = 1 + random.nextInt(15);
            int scale = random.nextInt(digits);
            String unscaled = Long.toString(random.nextLong((long) Math.pow(10, digits)));
            String text = (random.nextBoolean() ? "-" : "") + new java.math.BigDecimal(new java.math.BigInteger(unscaled), scale).toPlainString();
            String json = json(1700, text);
            assertThat(json).as(text).doesNotStartWith("\"");
            assertThat(new java.math.BigDecimal(json)).as(text).isEqualByComparingTo(text);
        }
    }

    @Test
    void booleansAreTrueAndFalse() {
        assertThat(json(16, "t")).isEqualTo("true");
        assertThat(json(16, "f")).isEqualTo("false");
    }

    @Test
    void jsonAndJsonbAreEmbeddedAsJavaScriptWouldReadThem() {
        assertThat(json(114, "{\"b\": 1.50, \"a\": [1, \"x\"], \"b\": 2, \"1\": null}")).isEqualTo("{\"1\":null,\"b\":2,\"a\":[1,\"x\"]}");
        assertThat(json(3802, "{\"n\": 12345678901234567890}")).isEqualTo("{\"n\":12345678901234567000}");
        assertThat(json(3802, "\"text\"")).isEqualTo("\"text\"");
    }

    @Test
    void byteaIsBase64() {
        assertThat(json(17, "\\x")).isEqualTo("\"\"");
        assertThat(json(17, "\\x00ff10")).isEqualTo("\"AP8Q\"");
        assertThat(json(17, "\\x68656c6c6f")).isEqualTo("\"aGVsbG8=\"");
        assertThat(json(17, "a\\\\b\\000\\377")).isEqualTo("\"YVxiAP8=\"");
    }

    @Test
    void datesAreSentAsPrinted() {
        assertThat(json(1082, "2026-03-13")).isEqualTo("\"2026-03-13\"");
        assertThat(json(1082, "infinity")).isEqualTo("\"infinity\"");
        assertThat(json(1082, "0044-03-15 BC")).isEqualTo("\"0044-03-15 BC\"");
    }

    @Test
    void timestampsWithZoneBecomeUtcWithAtLeastMilliseconds() {
        assertThat(json(1184, "2026-03-13 10:30:00.123+00")).isEqualTo("\"2026-03-13T10:30:00.123Z\"");
        assertThat(json(1184, "2026-03-13 10:30:00+00")).isEqualTo("\"2026-03-13T10:30:00.000Z\"");
        assertThat(json(1184, "2026-03-13 10:30:00.5+00")).isEqualTo("\"2026-03-13T10:30:00.500Z\"");
        assertThat(json(1184, "2026-03-13 10:30:00.123456+00")).isEqualTo("\"2026-03-13T10:30:00.123456Z\"");
        assertThat(json(1184, "2026-03-13 10:30:00.000001+00")).isEqualTo("\"2026-03-13T10:30:00.000001Z\"");
        assertThat(json(1184, "2026-03-13 10:30:00+05:30")).isEqualTo("\"2026-03-13T05:00:00.000Z\"");
        assertThat(json(1184, "2026-03-13 23:30:00-03:00:15")).isEqualTo("\"2026-03-14T02:30:15.000Z\"");
        assertThat(json(1184, "2024-02-29 00:00:00+01")).isEqualTo("\"2024-02-28T23:00:00.000Z\"");
    }

    @Test
    void timestampsOutsideOrdinaryYearsAndInfinityStayAsPrinted() {
        assertThat(json(1184, "infinity")).isEqualTo("\"infinity\"");
        assertThat(json(1184, "-infinity")).isEqualTo("\"-infinity\"");
        assertThat(json(1184, "12026-03-13 10:30:00+00")).isEqualTo("\"12026-03-13 10:30:00+00\"");
        assertThat(json(1184, "0044-03-15 12:00:00+00 BC")).isEqualTo("\"0044-03-15 12:00:00+00 BC\"");
        assertThat(json(1184, "0001-01-01 00:30:00+01")).isEqualTo("\"0001-01-01 00:30:00+01\"");
        assertThat(json(1114, "0044-03-15 12:00:00 BC")).isEqualTo("\"0044-03-15 12:00:00 BC\"");
    }

    @Test
    void timestampsWithoutZoneKeepTheirClockTimeAndGetNoZ() {
        assertThat(json(1114, "2026-03-13 10:30:00")).isEqualTo("\"2026-03-13T10:30:00.000\"");
        assertThat(json(1114, "2026-03-13 10:30:00.120")).isEqualTo("\"2026-03-13T10:30:00.120\"");
        assertThat(json(1114, "2026-03-13 10:30:00.12345")).isEqualTo("\"2026-03-13T10:30:00.123450\"");
        assertThat(json(1114, "infinity")).isEqualTo("\"infinity\"");
    }

    @Test
    void timesIntervalsMoneyAndOtherTypesAreStringsAsPrinted() {
        assertThat(json(1083, "10:30:00.5")).isEqualTo("\"10:30:00.5\"");
        assertThat(json(1266, "10:30:00+05:30")).isEqualTo("\"10:30:00+05:30\"");
        assertThat(json(1186, "1 year 2 mons 3 days 04:05:06")).isEqualTo("\"1 year 2 mons 3 days 04:05:06\"");
        assertThat(json(790, "$1,234.50")).isEqualTo("\"$1,234.50\"");
        assertThat(json(2950, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")).isEqualTo("\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"");
        assertThat(json(25, "line\nbreak \"quoted\"")).isEqualTo("\"line\\nbreak \\\"quoted\\\"\"");
        assertThat(json(1042, "ab  ")).isEqualTo("\"ab  \"");
        assertThat(json(869, "192.168.0.1/24")).isEqualTo("\"192.168.0.1/24\"");
        assertThat(json(123456, "happy")).isEqualTo("\"happy\"");
    }

    @Test
    void arraysBecomeJsonArraysOfTheElementMapping() {
        assertThat(json(1007, "{1,2,NULL}")).isEqualTo("[1,2,null]");
        assertThat(json(1007, "{}")).isEqualTo("[]");
        assertThat(json(1007, "{{1,2},{3,4}}")).isEqualTo("[[1,2],[3,4]]");
        assertThat(json(1007, "[0:1]={1,2}")).isEqualTo("[1,2]");
        assertThat(json(1007, "[1:2][1:1]={{1},{2}}")).isEqualTo("[[1],[2]]");
        assertThat(json(1016, "{1,9223372036854775807}")).isEqualTo("[1,\"9223372036854775807\"]");
        assertThat(json(1231, "{99.00,NaN,0.1}")).isEqualTo("[99,\"NaN\",0.1]");
        assertThat(json(1000, "{t,f}")).isEqualTo("[true,false]");
        assertThat(json(1022, "{1.5,-Infinity}")).isEqualTo("[1.5,\"-Infinity\"]");
    }

    @Test
    void quotedArrayElementsAreUnescapedAndAQuotedNullIsAString() {
        assertThat(json(1009, "{a,\"b c\",\"say \\\"hi\\\"\",\"back\\\\slash\",NULL,\"NULL\",null,\"\"}"))
                .isEqualTo("[\"a\",\"b c\",\"say \\\"hi\\\"\",\"back\\\\slash\",null,\"NULL\",null,\"\"]");
        assertThat(json(1015, "{\"{x}\",\"a,b\"}")).isEqualTo("[\"{x}\",\"a,b\"]");
    }

    @Test
    void arraysOfJsonByteaAndTimestampsUseTheirElementMapping() {
        assertThat(json(3807, "{\"{\\\"a\\\": 1}\",\"[1, 2]\",NULL}")).isEqualTo("[{\"a\":1},[1,2],null]");
        assertThat(json(1001, "{\"\\\\x0102\"}")).isEqualTo("[\"AQI=\"]");
        assertThat(json(1185, "{\"2026-03-13 10:30:00+00\",infinity}")).isEqualTo("[\"2026-03-13T10:30:00.000Z\",\"infinity\"]");
        assertThat(json(1182, "{2026-03-13,infinity}")).isEqualTo("[\"2026-03-13\",\"infinity\"]");
        assertThat(json(2951, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}")).isEqualTo("[\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"]");
    }

    @Test
    void unknownArrayTypesAndMalformedArraysAreStringsAsPrinted() {
        assertThat(json(99999, "{happy,sad}")).isEqualTo("\"{happy,sad}\"");
        assertThat(json(1007, "{1,2")).isEqualTo("\"{1,2\"");
    }
}
