package dev.streamhook.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenAPI document the server serves, read from the same resource, for tests that hold it to
 * the server: its operations, and the JSON Schema (2020-12, as OpenAPI 3.1 uses) of each request and
 * answer, so that a body can be checked against what the document promises.
 */
final class OpenApiDocument {

    private static final String BASE = "https://streamhook.invalid/openapi.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    final String text;
    final JsonNode root;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    OpenApiDocument() {
        try (InputStream in = ApiServer.class.getResourceAsStream("openapi.json")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            root = MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b.schemas(Map.of(BASE, text)));
    }

    /** Every operation as {@code "METHOD /path/{param}"}, as ApiServer lists its routes. */
    List<String> operations() {
        List<String> out = new ArrayList<>();
        root.get("paths").properties().forEach(path -> path.getValue().properties().forEach(method ->
                out.add(method.getKey().toUpperCase() + " " + path.getKey())));
        return out;
    }

    /** The documented path template that {@code path} (no query) matches, e.g. /v1/sources/src_1 -> /v1/sources/{id}. */
    Optional<String> template(String method, String path) {
        for (Iterator<String> it = root.get("paths").fieldNames(); it.hasNext(); ) {
            String template = it.next();
            String regex = template.replaceAll("\\{[^}]+}", "[^/]+");
            if (path.matches(regex) && root.at(pointer("paths", template, method.toLowerCase())).isObject()) {
                return Optional.of(template);
            }
        }
        return Optional.empty();
    }

    /**
     * A JSON pointer to the documented answer of an operation for a status code (exact, else
     * {@code 4XX}-style), following a {@code $ref} to components/responses; empty when the status is not documented.
     */
    Optional<String> response(String method, String template, int status) {
        String responses = pointer("paths", template, method.toLowerCase(), "responses");
        for (String code : List.of(String.valueOf(status), status / 100 + "XX")) {
            JsonNode r = root.at(responses + pointer(code));
            if (!r.isMissingNode()) {
                return Optional.of(r.has("$ref") ? r.get("$ref").asText().substring(1) : responses + pointer(code));
            }
        }
        return Optional.empty();
    }

    /** Problems of {@code value} against the schema at {@code pointer} (a JSON pointer into the document); empty when it conforms. */
    List<String> problems(String pointer, JsonNode value) {
        Schema schema = schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(BASE + "#" + p)));
        return schema.validate(value).stream().map(Error::toString).toList();
    }

    /** A JSON pointer from raw segments ({@code ~} and {@code /} escaped). */
    static String pointer(String... segments) {
        StringBuilder sb = new StringBuilder();
        for (String s : segments) {
            sb.append('/').append(s.replace("~", "~0").replace("/", "~1"));
        }
        return sb.toString();
    }
}
