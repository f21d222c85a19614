package dev.streamhook.event.json;

import java.util.Collections;
import java.util.LinkedHashMap;
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
        return new Bool(value);
    }

    static ObjectBuilder objectBuilder() {
        return new ObjectBuilder();
    }

    /** Use {@link JsonValue#NULL}; the record exists so that pattern matching stays exhaustive. */
    record Null() implements JsonValue {
    }

    record Bool(boolean value) implements JsonValue {
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

    record Obj(Map<String, JsonValue> fields) implements JsonValue {
        public Obj {
            LinkedHashMap<String, JsonValue> copy = new LinkedHashMap<>(fields);
            copy.forEach((key, value) -> {
                Objects.requireNonNull(key, "field name");
                Objects.requireNonNull(value, () -> "value of field " + key);
            });
            fields = Collections.unmodifiableMap(copy);
        }
    }

    /** Collects fields in insertion order; putting a name again replaces its value in place. */
    final class ObjectBuilder {
        private final LinkedHashMap<String, JsonValue> fields = new LinkedHashMap<>();

        private ObjectBuilder() {
        }

        public ObjectBuilder put(String name, JsonValue value) {
            fields.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Obj build() {
            return new Obj(fields);
        }
    }
}
