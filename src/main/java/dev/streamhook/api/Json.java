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

/** Reading request bodies and writing responses, with errors that name the field at fault. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

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

    static String requiredString(ObjectNode body, String field) {
        String value = optionalString(body, field);
        if (value == null || value.isBlank()) {
            throw ApiException.invalid(field, "'" + field + "' is required and must be a non-empty string");
        }
        return value;
    }

    static String optionalString(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.invalid(field, "'" + field + "' must be a string");
        }
        return v.asText();
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

    static List<String> stringList(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw ApiException.invalid(field, "'" + field + "' must be a non-empty array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw ApiException.invalid(field, "'" + field + "' must contain only non-empty strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    /** A JSON object of strings, or null when the field is absent. */
    static Map<String, String> stringMap(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiException.invalid(field, "'" + field + "' must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isTextual()) {
                throw ApiException.invalid(field, "'" + field + "." + e.getKey() + "' must be a string");
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
