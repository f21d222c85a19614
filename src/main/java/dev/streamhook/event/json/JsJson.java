package dev.streamhook.event.json;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * JSON exactly as JavaScript writes and reads it. Users verify our signature over
 * {@code JSON.stringify(JSON.parse(body))}, so {@link #stringify} must be a fixed point of that
 * round trip, byte for byte.
 */
public final class JsJson {

    private static final long MAX_ARRAY_INDEX = 4_294_967_294L;

    private JsJson() {
    }

    /** JavaScript's compact {@code JSON.stringify(v)}. */
    public static String stringify(JsonValue v) {
        return new JsonBytes(64).value(v).text();
    }

    /** The UTF-8 bytes of {@link #stringify}; lone surrogates are escaped there, so nothing is lost. */
    public static byte[] stringifyUtf8(JsonValue v) {
        return new JsonBytes(512).value(v).toByteArray();
    }

    /** JavaScript's {@code JSON.parse}; throws IllegalArgumentException naming the position of bad input. */
    public static JsonValue parse(String json) {
        return new JsonParser(json).parse();
    }

    /** ECMAScript Number::toString ({@code String(d)} in JavaScript). */
    public static String formatNumber(double d) {
        return JsNumbers.format(d);
    }

    /** An array or object being written: its members by index, in the order JavaScript writes them. */
    private static final class Frame {
        final List<JsonValue> items;
        final JsonFields fields;
        final int[] order;
        final int size;
        int next;

        Frame(List<JsonValue> items) {
            this.items = items;
            this.fields = null;
            this.order = null;
            this.size = items.size();
        }

        Frame(JsonFields fields) {
            this.items = null;
            this.fields = fields;
            this.order = fields.hasIndexNames() ? propertyOrder(fields) : null;
            this.size = fields.size();
        }
    }

    // Iterative so that a deeply nested value cannot overflow the stack.
    static void write(JsonValue root, JsonBytes out) {
        Deque<Frame> open = new ArrayDeque<>();
        JsonValue next = root;
        while (true) {
            if (next != null) {
                switch (next) {
                    case JsonValue.Arr arr -> {
                        out.punctuation('[');
                        open.push(new Frame(arr.items()));
                    }
                    case JsonValue.Obj obj -> {
                        out.punctuation('{');
                        open.push(new Frame((JsonFields) obj.fields()));
                    }
                    case JsonValue.Null ignored -> out.nullValue();
                    case JsonValue.Bool bool -> out.bool(bool.value());
                    case JsonValue.Num num -> out.number(num.value());
                    case JsonValue.Str str -> out.string(str.value());
                }
                next = null;
            }
            Frame frame = open.peek();
            if (frame == null) {
                return;
            }
            if (frame.next == frame.size) {
                out.punctuation(frame.items != null ? ']' : '}');
                open.pop();
                continue;
            }
            if (frame.next > 0) {
                out.punctuation(',');
            }
            int member = frame.next++;
            if (frame.items != null) {
                next = frame.items.get(member);
            } else {
                int field = frame.order == null ? member : frame.order[member];
                out.string(frame.fields.name(field)).punctuation(':');
                next = frame.fields.value(field);
            }
        }
    }

    /** JavaScript's own property order: array-index names ascending, then the rest as inserted. */
    private static int[] propertyOrder(JsonFields fields) {
        int size = fields.size();
        long[] indexNames = new long[size];
        int indexCount = 0;
        for (int i = 0; i < size; i++) {
            long index = arrayIndex(fields.name(i));
            if (index >= 0) {
                indexNames[indexCount++] = index << 31 | i; // an index is below 2^32, a position below 2^31
            }
        }
        Arrays.sort(indexNames, 0, indexCount);
        int[] order = new int[size];
        for (int i = 0; i < indexCount; i++) {
            order[i] = (int) (indexNames[i] & Integer.MAX_VALUE);
        }
        int at = indexCount;
        for (int i = 0; i < size; i++) {
            if (arrayIndex(fields.name(i)) < 0) {
                order[at++] = i;
            }
        }
        return order;
    }

    /** The name's value if it is a canonical array index ("0" to "4294967294"), else -1. */
    static long arrayIndex(String key) {
        int length = key.length();
        if (length == 0 || length > 10 || (length > 1 && key.charAt(0) == '0')) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < length; i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= MAX_ARRAY_INDEX ? value : -1;
    }
}
