package dev.streamhook.capture.types;

import dev.streamhook.event.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * PostgreSQL's array literal ({@code {1,2,NULL}}, {@code {{"a b","c\"d"}}}, {@code [0:1]={1,2}})
 * to nested JSON arrays. Bounds are dropped: JSON arrays always start at 0.
 */
final class PgArrays {

    private final String text;
    private final Function<String, JsonValue> element;
    private int pos;

    private PgArrays(String text, Function<String, JsonValue> element) {
        this.text = text;
        this.element = element;
    }

    /** The JSON array, or null when the text is not an array literal. */
    static JsonValue parse(String text, Function<String, JsonValue> element) {
        PgArrays parser = new PgArrays(text, element);
        try {
            return parser.literal();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private JsonValue literal() {
        if (text.startsWith("[")) {
            int equals = text.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("dimensions without '='");
            }
            pos = equals + 1;
        }
        skipWhitespace();
        JsonValue array = array();
        skipWhitespace();
        if (pos != text.length()) {
            throw new IllegalArgumentException("text after the array");
        }
        return array;
    }

    private JsonValue array() {
        expect('{');
        List<JsonValue> items = new ArrayList<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return new JsonValue.Arr(items);
        }
        while (true) {
            skipWhitespace();
            char c = peek();
            if (c == '{') {
                items.add(array());
            } else if (c == '"') {
                items.add(element.apply(quoted()));
            } else {
                String value = unquoted();
                items.add(value == null ? JsonValue.NULL : element.apply(value));
            }
            skipWhitespace();
            char separator = peek();
            pos++;
            if (separator == '}') {
                return new JsonValue.Arr(items);
            }
            if (separator != ',') {
                throw new IllegalArgumentException("expected ',' or '}' at " + (pos - 1));
            }
        }
    }

    private String quoted() {
        pos++;
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = peek();
            pos++;
            if (c == '"') {
                return out.toString();
            }
            if (c == '\\') {
                c = peek();
                pos++;
            }
            out.append(c);
        }
    }

    /** Null for the SQL NULL marker, which only an unquoted, unescaped NULL is. */
    private String unquoted() {
        StringBuilder out = new StringBuilder();
        boolean escaped = false;
        int keep = 0; // length without trailing unescaped whitespace
        while (true) {
            char c = peek();
            if (c == ',' || c == '}' || c == '{' || c == '"') {
                break;
            }
            pos++;
            if (c == '\\') {
                out.append(peek());
                pos++;
                escaped = true;
                keep = out.length();
            } else {
                out.append(c);
                if (!Character.isWhitespace(c)) {
                    keep = out.length();
                }
            }
        }
        String value = out.substring(0, keep);
        if (value.isEmpty()) {
            throw new IllegalArgumentException("empty element at " + pos);
        }
        return !escaped && value.equalsIgnoreCase("NULL") ? null : value;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + pos);
        }
        pos++;
    }

    private char peek() {
        if (pos >= text.length()) {
            throw new IllegalArgumentException("unexpected end of array literal");
        }
        return text.charAt(pos);
    }

    private void skipWhitespace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }
}
