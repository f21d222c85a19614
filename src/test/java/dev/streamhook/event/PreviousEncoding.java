package dev.streamhook.event;

import dev.streamhook.event.json.JsJson;
import dev.streamhook.event.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The webhook body as it was encoded before WebhookPayload and JsJson wrote UTF-8 bytes directly:
 * a JsonValue tree of the whole payload, written into a StringBuilder through a Map view of each
 * object, then String.getBytes. Kept, unchanged but for names, as the reference that the direct
 * path must match byte for byte ({@code DirectEncodingTest}).
 */
public final class PreviousEncoding {

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final long MAX_ARRAY_INDEX = 4_294_967_294L;

    private PreviousEncoding() {
    }

    public static byte[] encode(ChangeEvent e) {
        return stringify(toJson(e)).getBytes(StandardCharsets.UTF_8);
    }

    public static JsonValue toJson(ChangeEvent e) {
        var metadata = JsonValue.objectBuilder()
                .put("source_id", JsonValue.of(e.sourceId()))
                .put("connector", JsonValue.of("postgresql"))
                .put("lsn", JsonValue.of(e.commitLsn().toString()))
                .put("xid", JsonValue.of(e.xid()))
                .put("position", JsonValue.of(e.position()))
                .put("snapshot", JsonValue.of(e.snapshot()));
        if (!e.unchangedColumns().isEmpty()) {
            metadata.put("unchanged_columns", new JsonValue.Arr(e.unchangedColumns().stream().map(JsonValue::of).toList()));
        }
        if (e.truncate() != null) {
            metadata.put("cascade", JsonValue.of(e.truncate().cascade()))
                    .put("restart_identity", JsonValue.of(e.truncate().restartIdentity()));
        }
        return JsonValue.objectBuilder()
                .put("id", JsonValue.of(e.id().value()))
                .put("timestamp", JsonValue.of(WebhookPayload.isoUtc(e.commitTime())))
                .put("source", JsonValue.objectBuilder()
                        .put("database", JsonValue.of(e.database()))
                        .put("schema", JsonValue.of(e.schema()))
                        .put("table", JsonValue.of(e.table()))
                        .build())
                .put("operation", JsonValue.of(e.operation().name()))
                .put("before", e.before())
                .put("after", e.after())
                .put("metadata", metadata.build())
                .build();
    }

    /** JsJson.stringify as it was. */
    public static String stringify(JsonValue v) {
        StringBuilder out = new StringBuilder(512);
        write(v, out);
        return out.toString();
    }
    private static final class Frame {
        final Iterator<?> members;
        final char close;
        boolean first = true;

        Frame(Iterator<?> members, char close) {
            this.members = members;
            this.close = close;
        }
    }

    // Iterative so that a deeply nested value cannot overflow the stack.
    private static void write(JsonValue root, StringBuilder out) {
        Deque<Frame> open = new ArrayDeque<>();
        JsonValue next = root;
        while (true) {
            if (next != null) {
                switch (next) {
                    case JsonValue.Arr arr -> {
                        out.append('[');
                        open.push(new Frame(arr.items().iterator(), ']'));
                    }
                    case JsonValue.Obj obj -> {
                        out.append('{');
                        open.push(new Frame(propertyOrder(obj.fields()).iterator(), '}'));
                    }
                    case JsonValue.Null ignored -> out.append("null");
                    case JsonValue.Bool bool -> out.append(bool.value());
                    case JsonValue.Num num -> out.append(Double.isFinite(num.value()) ? JsJson.formatNumber(num.value()) : "null");
                    case JsonValue.Str str -> writeString(str.value(), out);
                }
                next = null;
            }
            Frame frame = open.peek();
            if (frame == null) {
                return;
            }
            if (!frame.members.hasNext()) {
                out.append(frame.close);
                open.pop();
                continue;
            }
            if (!frame.first) {
                out.append(',');
            }
            frame.first = false;
            Object member = frame.members.next();
            if (member instanceof Map.Entry<?, ?> field) {
                writeString((String) field.getKey(), out);
                out.append(':');
                next = (JsonValue) field.getValue();
            } else {
                next = (JsonValue) member;
            }
        }
    }

    /** JavaScript's own property order: array-index keys ascending, then the rest as inserted. */
    private static Collection<Map.Entry<String, JsonValue>> propertyOrder(Map<String, JsonValue> fields) {
        List<Map.Entry<String, JsonValue>> indexKeys = null;
        for (Map.Entry<String, JsonValue> field : fields.entrySet()) {
            if (arrayIndex(field.getKey()) >= 0) {
                if (indexKeys == null) {
                    indexKeys = new ArrayList<>();
                }
                indexKeys.add(field);
            }
        }
        if (indexKeys == null) {
            return fields.entrySet();
        }
        indexKeys.sort((a, b) -> Long.compare(arrayIndex(a.getKey()), arrayIndex(b.getKey())));
        List<Map.Entry<String, JsonValue>> ordered = new ArrayList<>(indexKeys);
        for (Map.Entry<String, JsonValue> field : fields.entrySet()) {
            if (arrayIndex(field.getKey()) < 0) {
                ordered.add(field);
            }
        }
        return ordered;
    }

    private static long arrayIndex(String key) {
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

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        int length = s.length();
        int plain = 0;
        while (plain < length && needsNoEscape(s.charAt(plain))) {
            plain++;
        }
        out.append(s, 0, plain); // most strings are plain through and through: one copy
        for (int i = plain; i < length; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(c, out);
                    } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        unicodeEscape(c, out); // ES2019 well-formed JSON.stringify
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean needsNoEscape(char c) {
        return c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c);
    }

    private static void unicodeEscape(char c, StringBuilder out) {
        out.append("\\u")
                .append(HEX[c >> 12 & 0xF])
                .append(HEX[c >> 8 & 0xF])
                .append(HEX[c >> 4 & 0xF])
                .append(HEX[c & 0xF]);
    }
}
