package dev.streamhook.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reading request bodies and writing responses, with errors that name the field at fault. Every
 * string the API takes is read here, bounded in length ({@link Max}) and free of control
 * characters, so a route cannot forget either: the helpers without a limit apply {@link Max#TEXT}.
 */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** The longest value each kind of field takes, in characters unless said otherwise. */
    static final class Max {
        static final int NAME = 200;
        static final int EMAIL = 254;
        static final int URL = 2048;
        static final int CONNECTION_URI = 2048;
        static final int SECRET = 512;
        static final int HEADERS = 32;
        static final int HEADER_NAME = 256;
        static final int HEADER_VALUE = 4096;
        static final int TABLES = 100;
        /** Bytes of UTF-8 in one identifier (schema or table), as PostgreSQL's NAMEDATALEN - 1. */
        static final int IDENTIFIER_BYTES = 63;
        /** Any other string. */
        static final int TEXT = 2048;

        private Max() {
        }
    }

    /** The answer to a DELETE. */
    record Deleted(String id, boolean deleted) {
        Deleted(String id) {
            this(id, true);
        }
    }

    private Json() {
    }

    private static final String RESPONSE_BODY = "streamhook.responseBody";

    static void respond(Context ctx, int status, Object body) {
        try {
            respondRaw(ctx, status, MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response bodies are maps and lists of plain values", e);
        }
    }

    /** Answers with {@code json}, bytes that are already a JSON document. */
    static void respondRaw(Context ctx, int status, byte[] json) {
        ctx.attribute(RESPONSE_BODY, json);
        ctx.status(status).contentType("application/json").result(json);
    }

    /** The body {@link #respond} wrote for this request, or null. */
    static byte[] responseBody(Context ctx) {
        return ctx.attribute(RESPONSE_BODY);
    }

    /**
     * Stored JSON bytes as they are, to be embedded in a response: never re-parsed, so numbers,
     * key order and escapes stay exactly as signed and sent (Jackson would turn 12345678.9 into
     * 1.23456789E7). The bytes are valid JSON: capture wrote them.
     */
    static RawValue raw(byte[] json) {
        return new RawValue(new String(json, StandardCharsets.UTF_8));
    }

    /** The body as a JSON object whose fields are all among {@code allowed}. */
    static ObjectNode object(Context ctx, Set<String> allowed) {
        JsonNode node;
        try {
            node = MAPPER.readTree(ctx.bodyAsBytes());
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.invalid(null, "the request body could not be read");
        }
        if (node == null || !node.isObject()) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiException.invalid(name, "unknown field '" + name + "'; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
        return (ObjectNode) node;
    }

    /**
     * The body of a POST that takes no fields: none, or an empty object. Anything else is refused
     * as on every other POST (malformed JSON, a field it does not take), not silently ignored.
     */
    static void noFields(Context ctx) {
        if (!ctx.body().isBlank()) {
            object(ctx, Set.of());
        }
    }

    static String requiredString(ObjectNode body, String field) {
        return requiredString(body, field, Max.TEXT);
    }

    /** A non-blank string of at most {@code maxChars} characters and no control characters. */
    static String requiredString(ObjectNode body, String field, int maxChars) {
        String value = optionalString(body, field, maxChars);
        if (value == null || value.isBlank()) {
            throw ApiException.invalid(field, "'" + field + "' is required and must be a non-empty string");
        }
        return value;
    }

    static String optionalString(ObjectNode body, String field) {
        return optionalString(body, field, Max.TEXT);
    }

    /** A string of at most {@code maxChars} characters and no control characters; null when absent or null. */
    static String optionalString(ObjectNode body, String field, int maxChars) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.invalid(field, "'" + field + "' must be a string");
        }
        return checkText(field, v.asText(), maxChars);
    }

    /** {@code value} if it is at most {@code maxChars} long and holds no control character (NUL, line breaks...). */
    static String checkText(String field, String value, int maxChars) {
        if (value.length() > maxChars) {
            throw ApiException.invalid(field, "'" + field + "' must be at most " + maxChars + " characters, got " + value.length());
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid(field, "'" + field + "' must not contain control characters");
        }
        return value;
    }

    /** {@code name} ("table" or "schema.table") if each identifier is at most {@link Max#IDENTIFIER_BYTES} bytes of UTF-8. */
    static String checkIdentifiers(String field, String name) {
        for (String part : name.split("\\.", -1)) {
            if (part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Max.IDENTIFIER_BYTES) {
                throw ApiException.invalid(field, "'" + field + "' holds a name longer than " + Max.IDENTIFIER_BYTES
                        + " bytes, PostgreSQL's limit for a schema or table name");
            }
        }
        return name;
    }

    /** An optional whole number from {@code min} to {@code max}; null when absent or null. */
    static Integer optionalInt(ObjectNode body, String field, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
            throw ApiException.invalid(field, "'" + field + "' must be a whole number from " + min + " to " + max);
        }
        return v.asInt();
    }

    /** A non-empty array of at most {@code maxItems} non-blank strings of at most {@code maxChars} each. */
    static List<String> stringList(ObjectNode body, String field, int maxItems, int maxChars) {
        JsonNode v = body.get(field);
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw ApiException.invalid(field, "'" + field + "' must be a non-empty array of strings");
        }
        if (v.size() > maxItems) {
            throw ApiException.invalid(field, "'" + field + "' may hold at most " + maxItems + " entries, got " + v.size());
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw ApiException.invalid(field, "'" + field + "' must contain only non-empty strings");
            }
            out.add(checkText(field, item.asText(), maxChars));
        }
        return out;
    }

    /**
     * A JSON object of at most {@code maxEntries} strings, names of at most {@code maxName} and values
     * of at most {@code maxValue} characters; null when the field is absent. Control characters are
     * left to the caller's rules (a header value may hold a tab).
     */
    static Map<String, String> stringMap(ObjectNode body, String field, int maxEntries, int maxName, int maxValue) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiException.invalid(field, "'" + field + "' must be an object of strings");
        }
        if (v.size() > maxEntries) {
            throw ApiException.invalid(field, "'" + field + "' may hold at most " + maxEntries + " entries, got " + v.size());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isTextual()) {
                throw ApiException.invalid(field, "'" + field + "." + e.getKey() + "' must be a string");
            }
            if (e.getKey().length() > maxName) {
                throw ApiException.invalid(field, "a name in '" + field + "' is longer than " + maxName + " characters");
            }
            if (e.getValue().asText().length() > maxValue) {
                throw ApiException.invalid(field, "'" + field + "." + e.getKey() + "' must be at most " + maxValue + " characters");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    static String time(Long epochMillis) {
        return epochMillis == null ? null : time(epochMillis.longValue());
    }
}
