package dev.streamhook.dashboard;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamhook.api.ApiException;
import io.javalin.http.Context;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** JSON in and out of the dashboard's routes, with the API's rules: unknown fields and wrong types are a 400 naming the field. Stateless. */
final class Bodies {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_BODY_BYTES = 16 * 1024;

    private Bodies() {
    }

    static ObjectNode object(Context ctx, Set<String> allowed) {
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > MAX_BODY_BYTES) {
            throw ApiException.invalid(null, "the request body must be at most " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(raw);
        } catch (java.io.IOException e) { // Jackson's parse errors are IOExceptions; the bytes are in memory
            throw ApiException.invalid(null, "the request body is not valid JSON");
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                throw ApiException.invalid(field, "unknown field '" + field + "'; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
        return object;
    }

    static String requiredString(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw ApiException.invalid(field, "'" + field + "' is required and must be a string");
        }
        return v.asText();
    }

    static void respond(Context ctx, int status, Map<String, ?> body) {
        try {
            ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsBytes(body));
        } catch (JacksonException e) {
            throw new IllegalStateException("a map of plain values always serialises", e);
        }
    }
}
