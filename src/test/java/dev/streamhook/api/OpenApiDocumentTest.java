package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.WebhookPayload;
import dev.streamhook.event.json.JsonValue;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OpenAPI document itself: valid OpenAPI 3.1, its examples true to its schemas, the product page's examples in it. */
class OpenApiDocumentTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final OpenApiDocument doc = new OpenApiDocument();

    @Test
    void theDocumentIsValidOpenApi31() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(doc.text, null, options);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getSpecVersion()).isEqualTo(SpecVersion.V31);
        assertThat(parsed.getOpenAPI().getWebhooks()).containsKey("event");
    }

    @Test
    void everyExampleInTheDocumentMatchesItsSchema() {
        List<String> checked = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        walk(doc.root, "", (pointer, node) -> {
            if (node.has("schema") && node.has("examples")) {
                node.get("examples").properties().forEach(example -> {
                    checked.add(pointer + " " + example.getKey());
                    doc.problems(pointer + "/schema", example.getValue().get("value"))
                            .forEach(p -> problems.add(pointer + " example '" + example.getKey() + "': " + p));
                });
            }
        });
        assertThat(problems).isEmpty();
        assertThat(checked).hasSizeGreaterThanOrEqualTo(10);
    }

    @Test
    void theProductPagesQuickstartAndPayloadAreTheDocumentsExamples() throws Exception {
        JsonNode source = MAPPER.readTree("""
                {"name": "Production Postgres", "type": "postgresql",
                 "connection_uri": "postgres://user:pass@host:5432/mydb", "tables": ["orders", "users", "payments"]}""");
        JsonNode destination = MAPPER.readTree("""
                {"url": "https://yourapp.com/webhooks/streamhook", "secret": "whsec_your_signing_secret",
                 "headers": { "Authorization": "Bearer your_token" }}""");
        JsonNode payload = MAPPER.readTree("""
                {"id": "evt_a1b2c3d4e5f6", "timestamp": "2026-03-13T10:30:00.123Z",
                 "source": {"database": "myapp_production", "schema": "public", "table": "orders"},
                 "operation": "UPDATE",
                 "before": {"id": 42, "status": "pending", "amount": 99.00, "updated_at": "2026-03-13T10:29:50.000Z"},
                 "after": {"id": 42, "status": "shipped", "amount": 99.00, "updated_at": "2026-03-13T10:30:00.000Z"},
                 "metadata": {"source_id": "src_xyz789", "connector": "postgresql", "lsn": "0/1A2B3C4", "snapshot": false}}""");
        String json = "content/application~1json/examples";
        assertThat(doc.root.at("/paths/~1v1~1sources/post/requestBody/" + json + "/quickstart/value")).isEqualTo(source);
        assertThat(doc.root.at("/paths/~1v1~1sources~1{id}~1destinations/post/requestBody/" + json + "/quickstart/value")).isEqualTo(destination);
        assertThat(doc.root.at("/webhooks/event/post/requestBody/" + json + "/update/value")).isEqualTo(payload);
    }

    @Test
    void theBodiesCaptureWritesMatchTheDocumentedWebhookEvent() throws Exception {
        JsonValue row = JsonValue.objectBuilder().put("id", JsonValue.of(42)).put("note", JsonValue.NULL).build();
        JsonValue key = JsonValue.objectBuilder().put("id", JsonValue.of(42)).build();
        Instant at = Instant.parse("2026-03-13T10:30:00.123456Z");
        List<ChangeEvent> events = List.of(
                event(Operation.INSERT, JsonValue.NULL, row, List.of(), at),
                event(Operation.UPDATE, JsonValue.NULL, row, List.of("big_text"), at),
                event(Operation.DELETE, key, JsonValue.NULL, List.of(), at),
                new ChangeEvent(new EventId("evt_0123456789abcdef01234568"), "src_openapi", Lsn.parse("16/B374D848"), 771, 4, at,
                        "shop", "public", "orders", Operation.TRUNCATE, JsonValue.NULL, JsonValue.NULL, List.of(), "public.orders", null,
                        new ChangeEvent.TruncateOptions(true, false), false));
        for (ChangeEvent e : events) {
            JsonNode body = MAPPER.readTree(WebhookPayload.encode(e));
            assertThat(doc.problems("/components/schemas/WebhookEvent", body)).as(body.toString()).isEmpty();
        }
        JsonNode unknownField = MAPPER.readTree(WebhookPayload.encode(events.get(0))).deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) unknownField).put("extra", 1);
        assertThat(doc.problems("/components/schemas/WebhookEvent", unknownField)).as("the schema is closed, so it catches drift").isNotEmpty();
    }

    private static ChangeEvent event(Operation op, JsonValue before, JsonValue after, List<String> unchanged, Instant at) {
        return ChangeEvent.row(new EventId("evt_0123456789abcdef01234567"), "src_openapi", Lsn.parse("16/B374D848"), 771, 3, at,
                "shop", "public", "orders", op, before, after, unchanged, "public.orders[\"42\"]");
    }

    private interface Visitor {
        void visit(String pointer, JsonNode node);
    }

    private static void walk(JsonNode node, String pointer, Visitor visitor) {
        if (node.isObject()) {
            visitor.visit(pointer, node);
            for (Map.Entry<String, JsonNode> child : node.properties()) {
                if (!child.getKey().equals("examples")) {
                    walk(child.getValue(), pointer + OpenApiDocument.pointer(child.getKey()), visitor);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), pointer + "/" + i, visitor);
            }
        }
    }
}
