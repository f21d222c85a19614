package dev.streamhook.event.json;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A JSON value as JavaScript sees it: numbers are doubles, objects keep insertion order.
 * {@link JsJson} turns these into the exact bytes {@code JSON.stringify} would produce.
 */
public sealed interface JsonValue {

    Null NULL = new Null();

    static JsonValue of(String value) {
        return value == null ? NULL : new Str(value);
    }

    static JsonValue of(double value) {
        return new Num(value);
    }

    static JsonValue of(boolean value) {
        return value ? Bool.TRUE : Bool.FALSE;
    }

    static ObjectBuilder objectBuilder() {
        return new ObjectBuilder();
    }

    /** Use {@link JsonValue#NULL}; the record exists so that pattern matching stays exhaustive. */
    record Null() implements JsonValue {
    }

    record Bool(boolean value) implements JsonValue {
        private static final Bool TRUE = new Bool(true);
        private static final Bool FALSE = new Bool(false);
    }

    record Num(double value) implements JsonValue {
    }

    record Str(String value) implements JsonValue {
        public Str {
            Objects.requireNonNull(value, "value");
        }
    }

    record Arr(List<JsonValue> items) implements JsonValue {
        public Arr {
            items = List.copyOf(items);
        }
    }

    /** {@code fields} is copied unless it comes from an {@link ObjectBuilder}, which hands over an immutable map. */
    record Obj(Map<String, JsonValue> fields) implements JsonValue {
        public Obj {
            fields = JsonFields.copyOf(fields);
        }
    }

    /**
     * Collects fields in insertion order; putting a name again replaces its value in place. Kept in
     * two arrays that {@link #build} hands to the object without copying them (capture builds a few
     * objects per event, and copying a LinkedHashMap was a tenth of its work); a later put copies
     * them first, so a built object never changes.
     */
    final class ObjectBuilder {
        /** Up to this many fields a name is found by scanning, beyond it through a HashMap. */
        private static final int SCAN_LIMIT = 8;

        private String[] names = new String[SCAN_LIMIT];
        private JsonValue[] values = new JsonValue[SCAN_LIMIT];
        private int size;
        private boolean indexNames;
        private Map<String, Integer> positions;
        private boolean handedOver;

        private ObjectBuilder() {
        }

        public ObjectBuilder put(String name, JsonValue value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (handedOver) {
                names = names.clone();
                values = values.clone();
                handedOver = false;
            }
            int at = positionOf(name);
            if (at >= 0) {
                values[at] = value;
                return this;
            }
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            names[size] = name;
            values[size] = value;
            indexNames |= JsJson.arrayIndex(name) >= 0;
            if (positions != null) {
                positions.put(name, size);
            } else if (size == SCAN_LIMIT) {
                positions = new HashMap<>();
                for (int i = 0; i <= size; i++) {
                    positions.put(names[i], i);
                }
            }
            size++;
            return this;
        }

        public Obj build() {
            handedOver = true;
            return new Obj(new JsonFields(names, values, size, indexNames));
        }

        private int positionOf(String name) {
            if (positions != null) {
                Integer at = positions.get(name);
                return at == null ? -1 : at;
            }
            for (int i = 0; i < size; i++) {
                if (names[i].equals(name)) {
                    return i;
                }
            }
            return -1;
        }
    }
}
