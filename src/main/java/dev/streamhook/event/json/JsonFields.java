package dev.streamhook.event.json;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The fields of a {@link JsonValue.Obj}: immutable, null-free, in insertion order, with no name
 * twice. Made only by {@link JsonValue.ObjectBuilder}, whose arrays it takes over (they may be
 * longer than {@code size}). {@link JsJson} walks the arrays by index; the Map view is for
 * everybody else.
 */
final class JsonFields extends AbstractMap<String, JsonValue> {

    private final String[] names;
    private final JsonValue[] values;
    private final int size;
    private final boolean indexNames;

    JsonFields(String[] names, JsonValue[] values, int size, boolean indexNames) {
        this.names = names;
        this.values = values;
        this.size = size;
        this.indexNames = indexNames;
    }

    /** {@code fields} itself when it is already JsonFields, else its fields in its iteration order. */
    static JsonFields copyOf(Map<String, JsonValue> fields) {
        if (fields instanceof JsonFields own) {
            return own;
        }
        JsonValue.ObjectBuilder builder = JsonValue.objectBuilder();
        fields.forEach((name, value) -> builder.put(
                Objects.requireNonNull(name, "field name"),
                Objects.requireNonNull(value, () -> "value of field " + name)));
        return (JsonFields) builder.build().fields();
    }

    String name(int i) {
        return names[i];
    }

    JsonValue value(int i) {
        return values[i];
    }

    /** Whether a name is an array index ("0", "17"), which JavaScript writes before the others. */
    boolean hasIndexNames() {
        return indexNames;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public JsonValue get(Object name) {
        int at = positionOf(name);
        return at < 0 ? null : values[at];
    }

    @Override
    public boolean containsKey(Object name) {
        return positionOf(name) >= 0;
    }

    private int positionOf(Object name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Set<Entry<String, JsonValue>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, JsonValue>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    public Entry<String, JsonValue> next() {
                        if (next >= size) {
                            throw new NoSuchElementException();
                        }
                        int at = next++;
                        return new SimpleImmutableEntry<>(names[at], values[at]);
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }
}
