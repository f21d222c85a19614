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
}
