package dev.streamhook.event.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsJsonTest {

    @Test
    void arraysAndObjectsAreImmutableCopiesOfWhatTheyWereGiven() {
        List<JsonValue> items = new ArrayList<>(List.of(JsonValue.of(1)));
        Map<String, JsonValue> fields = new LinkedHashMap<>(Map.of("a", JsonValue.of(true)));
        JsonValue.Arr arr = new JsonValue.Arr(items);
        JsonValue.Obj obj = new JsonValue.Obj(fields);
        items.add(JsonValue.NULL);
        fields.put("b", JsonValue.NULL);

        assertThat(arr.items()).hasSize(1);
        assertThat(obj.fields()).containsOnlyKeys("a");
        assertThatThrownBy(() -> arr.items().add(JsonValue.NULL)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> obj.fields().put("c", JsonValue.NULL)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theObjectBuilderKeepsInsertionOrderAndAReputKeepsItsPlace() {
        JsonValue.Obj obj = JsonValue.objectBuilder()
                .put("z", JsonValue.of("first"))
                .put("a", JsonValue.of(2))
                .put("z", JsonValue.of("last"))
                .build();

        assertThat(obj.fields().keySet()).containsExactly("z", "a");
        assertThat(JsJson.stringify(obj)).isEqualTo("{\"z\":\"last\",\"a\":2}");
    }

    @Test
    void aNullJavaStringBecomesJsonNull() {
        assertThat(JsonValue.of((String) null)).isSameAs(JsonValue.NULL);
        assertThat(JsJson.stringify(JsonValue.of((String) null))).isEqualTo("null");
    }

    @Test
    void parsingKeepsTheFirstPositionAndTheLastValueOfARepeatedKey() {
        JsonValue.Obj obj = (JsonValue.Obj) JsJson.parse("{\"a\":1,\"b\":2,\"a\":3}");

        assertThat(obj.fields()).containsExactly(Map.entry("a", JsonValue.of(3)), Map.entry("b", JsonValue.of(2)));
    }

    @Test
    void errorsNameThePositionOfTheBadInput() {
        assertThatThrownBy(() -> JsJson.parse("[1,,2]")).hasMessageContaining("position 3");
        assertThatThrownBy(() -> JsJson.parse("{\"a\" 1}")).hasMessageContaining("position 5");
        assertThatThrownBy(() -> JsJson.parse("[1")).hasMessageContaining("position 2").hasMessageContaining("end of input");
    }

    @Test
    void veryDeepNestingNeitherOverflowsTheStackWhenParsedNorWhenWritten() {
        int depth = 200_000;
        String deep = "[".repeat(depth) + "]".repeat(depth);

        assertThat(JsJson.stringify(JsJson.parse(deep))).isEqualTo(deep);
        String deepObject = "{\"k\":".repeat(depth) + "null" + "}".repeat(depth);
        assertThat(JsJson.stringify(JsJson.parse(deepObject))).isEqualTo(deepObject);
    }

    @Test
    void utf8OutputEncodesCharactersAndKeepsLoneSurrogatesEscaped() {
        assertThat(JsJson.stringifyUtf8(JsonValue.of("é\ud83d\ude00\ud800")))
                .isEqualTo("\"é\ud83d\ude00\\ud800\"".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void numbersParseToTheDoubleThatDoubleParseDoubleGives() {
        java.util.Random random = new java.util.Random(5);
        List<String> texts = new ArrayList<>(List.of("0", "-0", "0.0", "-0.0", "1", "19.99", "5.5", "0.1", "0.3", "1763.57",
                "999999999999999", "9999999999999999", "0.000000000000001", "123456789012.345", "1234567890123456.7",
                "9007199254740993", "1e21", "5e-7", "1E+2", "-1.5e-300", "0.30000000000000004", "100.000000000000000001"));
        for (int i = 0; i < 100_000; i++) {
            StringBuilder text = new StringBuilder(random.nextBoolean() ? "-" : "");
            int digits = 1 + random.nextInt(18);
            int point = random.nextInt(digits + 1);
            for (int d = 0; d < digits; d++) {
                text.append(d == point && d > 0 ? "." : "").append((char) ('0' + (d == 0 && digits > 1 && point != 1 ? 1 + random.nextInt(9) : random.nextInt(10))));
            }
            texts.add(text.toString());
        }
        for (String text : texts) {
            double parsed = ((JsonValue.Num) JsJson.parse(text)).value();
            assertThat(Double.doubleToRawLongBits(parsed)).as(text).isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
        }
    }
}
