package dev.streamhook.event.json;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Strict JSON grammar with JSON.parse's results: every number a double, and a repeated key keeps
 * its first position but takes its last value. Iterative, so nesting depth is bounded by the heap.
 */
final class JsonParser {

    private final String text;
    private int pos;

    JsonParser(String text) {
        this.text = text;
    }

    private abstract static sealed class Open permits OpenArray, OpenObject {
        abstract void add(JsonValue value);

        abstract JsonValue close();

        abstract char closer();
    }

    private static final class OpenArray extends Open {
        final List<JsonValue> items = new ArrayList<>();

        @Override
        void add(JsonValue value) {
            items.add(value);
        }

        @Override
        JsonValue close() {
            return new JsonValue.Arr(items);
        }

        @Override
        char closer() {
            return ']';
        }
    }

    private static final class OpenObject extends Open {
        final JsonValue.ObjectBuilder fields = JsonValue.objectBuilder();
        String key;

        @Override
        void add(JsonValue value) {
            fields.put(key, value);
        }

        @Override
        JsonValue close() {
            return fields.build();
        }

        @Override
        char closer() {
            return '}';
        }
    }

    JsonValue parse() {
        Deque<Open> open = new ArrayDeque<>();
        while (true) {
            skipWhitespace();
            JsonValue value = switch (peek("a value")) {
                case '[' -> openArray(open);
                case '{' -> openObject(open);
                case '"' -> new JsonValue.Str(readString());
                case 't' -> literal("true", JsonValue.of(true));
                case 'f' -> literal("false", JsonValue.of(false));
                case 'n' -> literal("null", JsonValue.NULL);
                default -> readNumber();
            };
            while (value != null) {
                Open top = open.peek();
                if (top == null) {
                    skipWhitespace();
                    if (pos < text.length()) {
                        throw error("unexpected text after the JSON value");
                    }
                    return value;
                }
                top.add(value);
                skipWhitespace();
                char c = peek("',' or '" + top.closer() + "'");
                pos++;
                if (c == top.closer()) {
                    open.pop();
                    value = top.close();
                } else if (c == ',') {
                    if (top instanceof OpenObject object) {
                        object.key = readKey();
                    }
                    value = null;
                } else {
                    pos--;
                    throw error("expected ',' or '" + top.closer() + "'");
                }
            }
        }
    }

    /** Returns the empty array, or null after pushing an open one whose first item comes next. */
    private JsonValue openArray(Deque<Open> open) {
        pos++;
        skipWhitespace();
        if (peek("a value or ']'") == ']') {
            pos++;
            return new JsonValue.Arr(List.of());
        }
        open.push(new OpenArray());
        return null;
    }

    private JsonValue openObject(Deque<Open> open) {
        pos++;
        skipWhitespace();
        if (peek("a key or '}'") == '}') {
            pos++;
            return JsonValue.objectBuilder().build();
        }
        OpenObject object = new OpenObject();
        object.key = readKey();
        open.push(object);
        return null;
    }

    private String readKey() {
        skipWhitespace();
        if (peek("a key") != '"') {
            throw error("expected a key");
        }
        String key = readString();
        skipWhitespace();
        if (peek("':'") != ':') {
            throw error("expected ':'");
        }
        pos++;
        return key;
    }

    private JsonValue literal(String word, JsonValue value) {
        if (!text.startsWith(word, pos)) {
            throw error("expected " + word);
        }
        pos += word.length();
        return value;
    }

    private JsonValue readNumber() {
        int start = pos;
        if (at('-')) {
            pos++;
        }
        if (at('0')) {
            pos++;
        } else if (digitAt()) {
            skipDigits();
        } else {
            throw error("expected a value");
        }
        if (at('.')) {
            pos++;
            requireDigits();
        }
        if (at('e') || at('E')) {
            pos++;
            if (at('+') || at('-')) {
                pos++;
            }
            requireDigits();
        }
        return new JsonValue.Num(number(start, pos));
    }

    /**
     * The double nearest the number text, as JSON.parse gives it. A plain number of up to 15
     * digits is an exact long divided by an exact power of ten, and IEEE division rounds that
     * correctly (Clinger's fast path); Double.parseDouble, which rounds correctly too, does the rest.
     */
    private double number(int start, int end) {
        boolean negative = text.charAt(start) == '-';
        long digits = 0;
        int count = 0;
        boolean inFraction = false;
        int fractionDigits = 0;
        for (int i = negative ? start + 1 : start; i < end; i++) {
            char c = text.charAt(i);
            if (c == '.') {
                inFraction = true;
            } else if (c >= '0' && c <= '9' && ++count <= 15) {
                digits = digits * 10 + (c - '0');
                fractionDigits += inFraction ? 1 : 0;
            } else {
                return Double.parseDouble(text.substring(start, end)); // an exponent, or more digits
            }
        }
        double value = digits / JsNumbers.POWERS_OF_TEN[fractionDigits];
        return negative ? -value : value;
    }

    private void requireDigits() {
        if (!digitAt()) {
            throw error("expected a digit");
        }
        skipDigits();
    }

    private void skipDigits() {
        while (digitAt()) {
            pos++;
        }
    }

    private boolean digitAt() {
        return pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9';
    }

    private boolean at(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private String readString() {
        int start = ++pos; // after the opening quote
        // Most strings have no escape: they are a substring of the text.
        int plain = start;
        while (plain < text.length()) {
            char c = text.charAt(plain);
            if (c == '"') {
                pos = plain + 1;
                return text.substring(start, plain);
            }
            if (c == '\\' || c < 0x20) {
                break;
            }
            plain++;
        }
        pos = plain;
        StringBuilder out = new StringBuilder(plain - start + 16).append(text, start, plain);
        while (true) {
            char c = peek("'\"'");
            if (c == '"') {
                pos++;
                return out.toString();
            }
            if (c < 0x20) {
                throw error("unescaped control character in string");
            }
            pos++;
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escape = peek("an escape");
            pos++;
            switch (escape) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(readHex4());
                default -> {
                    pos--;
                    throw error("bad escape");
                }
            }
        }
    }

    private char readHex4() {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            char c = peek("a hex digit");
            // Character.digit would also accept non-ASCII digits such as fullwidth letters.
            int digit = c < 0x80 ? Character.digit(c, 16) : -1;
            if (digit < 0) {
                throw error("expected a hex digit");
            }
            value = value << 4 | digit;
            pos++;
        }
        return (char) value;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek(String expected) {
        if (pos >= text.length()) {
            throw error("unexpected end of input, expected " + expected);
        }
        return text.charAt(pos);
    }

    private IllegalArgumentException error(String problem) {
        return new IllegalArgumentException("bad JSON at position " + pos + ": " + problem);
    }
}
