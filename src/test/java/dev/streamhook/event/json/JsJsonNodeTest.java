package dev.streamhook.event.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Strings, objects, documents and bad input against Node: every case goes to a single node process. */
class JsJsonNodeTest {

    private static final List<String> STRINGS = strings();
    private static final List<String> KEY_PAIRS = keyPairs();
    private static final List<String> DOCUMENTS = documents();
    private static final List<JsonValue> BUILT = builtValues();
    private static final List<String> INVALID = List.of(
            "", " ", "{", "}", "[", "]", "[1,]", "[,1]", "{\"a\":1,}", "{a:1}", "'a'", "01", "-01", "1.", ".5", "-", "+1",
            "1e", "1e+", "1.e5", "0x10", "NaN", "Infinity", "-Infinity", "tru", "nul", "truex", "\"\\x41\"", "\"\\u12\"",
            "\"\\u00ZZ\"", "\"\\uＡ000\"", "\"a\tb\"", "\"\n\"", "\"\u0000\"", "[1 2]", "{\"a\" 1}", "{\"a\":}", "1 2",
            "\u00a01", "\ufeff1", "\u20281", "\"abc", "[1]]", "{\"a\":1}}", "[\"a\",]", "{,}", "{\"a\":1 \"b\":2}", "[".repeat(50));
    private static final Map<String, byte[]> NODE = new HashMap<>();

    @BeforeAll
    static void askNode() throws Exception {
        List<String> requests = new ArrayList<>();
        STRINGS.forEach(s -> requests.add(NodeOracle.string(s)));
        STRINGS.forEach(s -> requests.add(NodeOracle.roundTrip(quoteIndependently(s))));
        KEY_PAIRS.forEach(pairs -> requests.add(NodeOracle.object(pairs)));
        KEY_PAIRS.forEach(pairs -> requests.add(NodeOracle.roundTrip(asObjectText(pairs))));
        DOCUMENTS.forEach(doc -> requests.add(NodeOracle.roundTrip(doc)));
        BUILT.forEach(value -> requests.add(NodeOracle.roundTrip(JsJson.stringify(value))));
        INVALID.forEach(text -> requests.add(NodeOracle.roundTrip(text)));
        List<byte[]> answers = NodeOracle.ask(requests);
        for (int i = 0; i < requests.size(); i++) {
            NODE.put(requests.get(i), answers.get(i));
        }
    }

    @Test
    void stringsAreEscapedExactlyAsJavaScriptEscapesThem() {
        for (String s : STRINGS) {
            assertSameBytes(JsJson.stringifyUtf8(JsonValue.of(s)), NodeOracle.string(s), "JSON.stringify of " + codeUnits(s));
        }
    }

    @Test
    void stringTextsSurviveParseAndStringifyExactlyAsInJavaScript() {
        for (String s : STRINGS) {
            String text = quoteIndependently(s);
            assertSameBytes(JsJson.stringifyUtf8(JsJson.parse(text)), NodeOracle.roundTrip(text), "round trip of " + codeUnits(s));
        }
    }

    @Test
    void objectKeysComeOutInJavaScriptPropertyOrder() {
        for (String pairs : KEY_PAIRS) {
            JsonValue.ObjectBuilder builder = JsonValue.objectBuilder();
            for (JsonValue pair : ((JsonValue.Arr) JsJson.parse(pairs)).items()) {
                List<JsonValue> keyAndValue = ((JsonValue.Arr) pair).items();
                builder.put(((JsonValue.Str) keyAndValue.get(0)).value(), keyAndValue.get(1));
            }
            assertSameBytes(JsJson.stringifyUtf8(builder.build()), NodeOracle.object(pairs), "object built from " + pairs);
            String text = asObjectText(pairs);
            assertSameBytes(JsJson.stringifyUtf8(JsJson.parse(text)), NodeOracle.roundTrip(text), "round trip of " + text);
        }
    }

    @Test
    void documentsSurviveParseAndStringifyExactlyAsInJavaScript() {
        for (String doc : DOCUMENTS) {
            assertSameBytes(JsJson.stringifyUtf8(JsJson.parse(doc)), NodeOracle.roundTrip(doc), "round trip of " + abbreviate(doc));
        }
    }

    @Test
    void whatWeStringifyIsAFixedPointOfJavaScriptsParseAndStringify() {
        for (JsonValue value : BUILT) {
            String ours = JsJson.stringify(value);
            assertSameBytes(JsJson.stringifyUtf8(value), NodeOracle.roundTrip(ours), "built value " + abbreviate(ours));
            assertThat(JsJson.stringify(JsJson.parse(ours))).isEqualTo(ours);
        }
    }

    @Test
    void inputThatJavaScriptRejectsIsRejectedWithItsPosition() {
        for (String text : INVALID) {
            assertThat(NODE.get(NodeOracle.roundTrip(text))).as("node rejects %s", codeUnits(text)).isNull();
            assertThatThrownBy(() -> JsJson.parse(text)).as("we reject %s", codeUnits(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("position");
        }
    }

    /** Compares as text first so that a failure reads well, then byte for byte. */
    private static void assertSameBytes(byte[] ours, String request, String description) {
        byte[] javascript = NODE.get(request);
        assertThat(javascript).as("node's answer for " + description).isNotNull();
        assertThat(new String(ours, StandardCharsets.UTF_8)).as(description).isEqualTo(new String(javascript, StandardCharsets.UTF_8));
        assertThat(ours).as(description).isEqualTo(javascript);
    }

    /** JSON text for s built without our encoder: specials as upper-case \\u escapes, the rest raw. */
    private static String quoteIndependently(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == '"' || c == '\\') {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** Turns [[k, v], ...] into {k: v, ...} with the keys in the same order, repeats kept. */
    private static String asObjectText(String pairs) {
        StringBuilder out = new StringBuilder("{");
        for (JsonValue pair : ((JsonValue.Arr) JsJson.parse(pairs)).items()) {
            List<JsonValue> keyAndValue = ((JsonValue.Arr) pair).items();
            out.append(out.length() > 1 ? "," : "")
                    .append(JsJson.stringify(keyAndValue.get(0))).append(':').append(JsJson.stringify(keyAndValue.get(1)));
        }
        return out.append('}').toString();
    }

    private static List<String> strings() {
        List<String> out = new ArrayList<>();
        for (char c = 0; c < 0x100; c++) {
            out.add(String.valueOf(c));
            out.add("a" + c + "b");
        }
        out.addAll(List.of("", "\u2028", "\u2029", "\ufeff", "\uffff", "\ufffe", "\ud800", "\udbff", "\udc00", "\udfff",
                "\ud83d\ude00", "\ude00\ud83d", "x\ud83dy", "\ud83d\ud83d\ude00", "\ud83d\ude00\ude00", "😀👍🏽🇳🇱",
                "e\u0301", "日本語", "\u007f\u0080\u009f", "</script>", "\\u0041", "\"quoted\"", "tab\there",
                "line\r\nbreak", "all\b\f\n\r\t\u000b\u001f"));
        Random random = new Random(42);
        char[] pool = {'a', '"', '\\', '/', '\u0000', '\u001f', '\u007f', '\u00e9', '\u2028', '\ud83d', '\ude00', '\ud800',
            '\udfff', '\uffff', ' ', '\n'};
        for (int i = 0; i < 2000; i++) {
            StringBuilder s = new StringBuilder();
            for (int j = random.nextInt(12); j > 0; j--) {
                s.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x10000) : pool[random.nextInt(pool.length)]);
            }
            out.add(s.toString());
        }
        return out;
    }

    private static List<String> keyPairs() {
        List<String> out = new ArrayList<>(List.of(
                "[[\"b\",1],[\"10\",2],[\"2\",3],[\"01\",4],[\"-1\",5],[\"4294967295\",6],[\"4294967294\",7]]",
                "[[\"a\",1],[\"b\",2],[\"a\",3]]",
                "[[\"5\",1],[\"z\",2],[\"5\",3],[\"0\",4]]",
                "[[\"\",1],[\"0\",2],[\"00\",3],[\"1.0\",4],[\"1e3\",5],[\" 1\",6],[\"+1\",7],[\"9007199254740993\",8]]",
                "[[\"__proto__\",1],[\"constructor\",2],[\"toString\",3]]",
                "[[\"99999999999\",1],[\"4294967293\",2],[\"-0\",3],[\"1\",4]]"));
        String[] keyPool = {"0", "1", "2", "9", "10", "11", "100", "007", "-1", "1.5", "4294967294", "4294967295",
            "4294967296", "a", "b", "id", "é", "\u2028", "", "2e0"};
        Random random = new Random(99);
        for (int i = 0; i < 500; i++) {
            StringBuilder pairs = new StringBuilder("[");
            for (int j = random.nextInt(10); j > 0; j--) {
                pairs.append(pairs.length() > 1 ? "," : "")
                        .append("[").append(JsJson.stringify(JsonValue.of(keyPool[random.nextInt(keyPool.length)])))
                        .append(",").append(random.nextInt(100)).append("]");
            }
            out.add(pairs.append("]").toString());
        }
        return out;
    }

    private static List<String> documents() {
        return List.of(
                " \t\n\r1 \n", "\"\\/\"", "-0", "0e0", "1E+2", "[]", "{}", "[[]]", "{\"\":{}}", "\"\u2028\"", "true", "false",
                "null", "[null,true,false,\"x\",1.50,{\"k\":[{}]}]", "\"\\u00e9\\u00E9\\uD83D\\uDE00\\ud83d\"",
                "{\"id\":\"evt\",\"after\":{\"price\":99.00,\"tags\":[\"a\",\"b\"],\"2\":1,\"1\":2},\"n\":1e21}",
                "[".repeat(1000) + "]".repeat(1000), "{\"a\":".repeat(3000) + "1" + "}".repeat(3000));
    }

    private static List<JsonValue> builtValues() {
        List<JsonValue> out = new ArrayList<>();
        Random random = new Random(2028);
        for (int i = 0; i < 500; i++) {
            out.add(randomValue(random, 0));
        }
        return out;
    }

    private static JsonValue randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 4 ? 5 : 7);
        return switch (kind) {
            case 0 -> JsonValue.NULL;
            case 1 -> JsonValue.of(random.nextBoolean());
            case 2 -> JsonValue.of(Double.longBitsToDouble(random.nextLong()));
            case 3 -> JsonValue.of(random.nextInt(1000) / 100.0);
            case 4 -> JsonValue.of(STRINGS.get(random.nextInt(STRINGS.size())));
            case 5 -> {
                List<JsonValue> items = new ArrayList<>();
                for (int j = random.nextInt(5); j > 0; j--) {
                    items.add(randomValue(random, depth + 1));
                }
                yield new JsonValue.Arr(items);
            }
            default -> {
                Map<String, JsonValue> fields = new LinkedHashMap<>();
                for (int j = random.nextInt(5); j > 0; j--) {
                    String key = random.nextBoolean() ? Integer.toString(random.nextInt(20)) : STRINGS.get(random.nextInt(STRINGS.size()));
                    fields.put(key, randomValue(random, depth + 1));
                }
                yield new JsonValue.Obj(fields);
            }
        };
    }

    private static String codeUnits(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().forEach(c -> out.append(String.format("\\u%04x", c)));
        return out.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
