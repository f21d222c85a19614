package dev.streamhook.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.event.json.JsJson;
import dev.streamhook.event.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * WebhookPayload.encode and JsJson write UTF-8 bytes directly; they must give exactly the bytes of
 * the tree-and-StringBuilder path they replaced ({@link PreviousEncoding}), which the Node.js
 * tests pinned to JavaScript's output.
 */
class DirectEncodingTest {

    private static final List<String> STRINGS = List.of(
            "", "a", "plain ascii", "Hauptstraße 5", "日本語", "😀👍🏽🇳🇱", "e\u0301", "\u007f\u0080\u009f\u00ff\u0100\u07ff\u0800",
            "\uffff\ufffe\ufeff\u2028\u2029", "\ud800", "\udbff", "\udc00", "\udfff", "x\ud83dy", "\ude00\ud83d",
            "\ud83d\ud83d\ude00", "\ud83d\ude00\ude00", "ends high \ud83d", "\"quoted\" and \\back\\slash/",
            "all\b\f\n\r\t\u000b\u001f\u0000", "</script>", "\\u0041", "tab\there", "mixed é \" \ud800 \n 😀 end");
    private static final double[] NUMBERS = {
        0.0, -0.0, 1, -1, 42, 149.9, 0.1, 0.3, 4.35, 19.99, 5.5, 1763.57, 1e21, 1e20, 1e-7, 5e-7, 1e-6, 0.000001234,
        123456789012345680000.0, 9007199254740991.0, 9007199254740992.0, 9007199254740994.0, -9007199254740993.0,
        Long.MAX_VALUE, Long.MIN_VALUE, 4_294_967_295.0, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.5e300, -2.5e-300, 1e7, 1.2e7, 0.001, 0.0012};
    private static final List<String> NAMES = List.of(
            "id", "0", "1", "2", "9", "10", "11", "100", "007", "00", "-1", "-0", "1.5", "1e3", " 1", "+1", "4294967294",
            "4294967295", "4294967296", "99999999999", "", "__proto__", "é", "\u2028", "\ud800", "a\"b", "updated_at");

    @Test
    void valuesAreWrittenAsBeforeByteForByte() {
        Random random = new Random(2026);
        List<JsonValue> values = new ArrayList<>();
        for (String s : STRINGS) {
            values.add(JsonValue.of(s));
        }
        for (double d : NUMBERS) {
            values.add(JsonValue.of(d));
        }
        for (int i = 0; i < 3000; i++) {
            values.add(randomValue(random, 0));
        }
        values.add(JsJson.parse("[".repeat(5000) + "{\"2\":1,\"1\":[],\"a\":{}}" + "]".repeat(5000)));
        for (JsonValue v : values) {
            String previous = PreviousEncoding.stringify(v);
            assertThat(JsJson.stringify(v)).isEqualTo(previous);
            assertThat(JsJson.stringifyUtf8(v)).as(previous).isEqualTo(previous.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void parsedDocumentsAreWrittenAsBeforeByteForByte() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            String text = PreviousEncoding.stringify(randomValue(random, 0));
            JsonValue parsed = JsJson.parse(text);
            assertThat(JsJson.stringifyUtf8(parsed)).as(text)
                    .isEqualTo(PreviousEncoding.stringify(parsed).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void payloadsAreEncodedAsBeforeByteForByte() {
        Random random = new Random(99);
        Instant[] times = {
            Instant.parse("2026-03-13T10:30:00Z"), Instant.parse("2026-03-13T10:30:00.123Z"),
            Instant.parse("2026-03-13T10:30:00.123456Z"), Instant.parse("2026-03-13T10:30:00.000001Z"),
            Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999Z"),
            Instant.parse("-0001-12-31T23:59:59.5Z"), Instant.parse("+10000-01-01T00:00:00.000010Z"),
            Instant.parse("+294276-12-31T23:59:59.999999Z"), Instant.parse("-4713-11-24T00:00:00Z"), Instant.EPOCH};
        for (int i = 0; i < 3000; i++) {
            Operation op = Operation.values()[random.nextInt(Operation.values().length)];
            boolean truncate = op == Operation.TRUNCATE;
            List<String> unchanged = new ArrayList<>();
            for (int j = random.nextInt(4) == 0 ? random.nextInt(3) + 1 : 0; j > 0; j--) {
                unchanged.add(random.nextBoolean() ? NAMES.get(random.nextInt(NAMES.size())) : pick(random, STRINGS));
            }
            Instant at = random.nextInt(3) == 0 ? times[random.nextInt(times.length)]
                    : Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 253_000_000_000L), random.nextInt(1_000_000) * 1000L);
            JsonValue before = truncate || op == Operation.INSERT ? JsonValue.NULL : randomObject(random, 1);
            JsonValue after = truncate || op == Operation.DELETE ? JsonValue.NULL : randomObject(random, 1);
            ChangeEvent e = new ChangeEvent(new EventId("evt_" + Integer.toHexString(i)), random.nextBoolean() ? "src_1" : pick(random, STRINGS),
                    new Lsn(random.nextLong()), random.nextLong(0, 1L << 32), random.nextInt(1_000_000), at,
                    pick(random, STRINGS), pick(random, STRINGS), random.nextBoolean() ? "orders" : pick(random, STRINGS), op,
                    before, after, truncate ? List.of() : unchanged, "k", null,
                    truncate ? new ChangeEvent.TruncateOptions(random.nextBoolean(), random.nextBoolean()) : null, random.nextBoolean());
            byte[] previous = PreviousEncoding.encode(e);
            assertThat(WebhookPayload.encode(e)).as(new String(previous, StandardCharsets.UTF_8)).isEqualTo(previous);
        }
    }

    private static String pick(Random random, List<String> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static JsonValue randomValue(Random random, int depth) {
        return switch (random.nextInt(depth > 4 ? 5 : 7)) {
            case 0 -> JsonValue.NULL;
            case 1 -> JsonValue.of(random.nextBoolean());
            case 2 -> JsonValue.of(random.nextBoolean() ? NUMBERS[random.nextInt(NUMBERS.length)] : Double.longBitsToDouble(random.nextLong()));
            case 3 -> JsonValue.of(random.nextInt(2_000_000) / (random.nextBoolean() ? 100.0 : 7.0) * (random.nextBoolean() ? 1 : -1));
            case 4 -> JsonValue.of(pick(random, STRINGS));
            case 5 -> {
                List<JsonValue> items = new ArrayList<>();
                for (int j = random.nextInt(5); j > 0; j--) {
                    items.add(randomValue(random, depth + 1));
                }
                yield new JsonValue.Arr(items);
            }
            default -> randomObject(random, depth);
        };
    }

    /** Built half the time through the builder (repeated names keep their place) and half from a map. */
    private static JsonValue randomObject(Random random, int depth) {
        int size = random.nextInt(10) == 0 ? 20 + random.nextInt(20) : random.nextInt(7);
        if (random.nextBoolean()) {
            JsonValue.ObjectBuilder builder = JsonValue.objectBuilder();
            for (int j = 0; j < size; j++) {
                builder.put(pick(random, NAMES), randomValue(random, depth + 1));
            }
            return builder.build();
        }
        Map<String, JsonValue> fields = new LinkedHashMap<>();
        for (int j = 0; j < size; j++) {
            fields.put(random.nextBoolean() ? pick(random, NAMES) : pick(random, STRINGS), randomValue(random, depth + 1));
        }
        return new JsonValue.Obj(fields);
    }
}
