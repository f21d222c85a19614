package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.dashboard.Dashboard;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/openapi.json} is true to the server: it documents exactly the routes served, and
 * every answer a walk through every route gets, success or error, is documented for that route and
 * status and matches the documented schema (closed schemas: a field the server adds and the document
 * lacks fails here).
 */
class OpenApiIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final OpenApiDocument doc = new OpenApiDocument();

    @Test
    void theDocumentIsServedWithoutAKeyAndListsExactlyTheRoutesServed(@TempDir Path dataDir) throws Exception {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient.RawResponse served = new ApiClient(node.port()).raw("GET", "/v1/openapi.json", null, null);
            assertThat(served.status()).isEqualTo(200);
            assertThat(served.contentType()).startsWith("application/json");
            assertThat(MAPPER.readTree(served.text())).isEqualTo(doc.root);
            // the dashboard's page and browser-only routes are not the API's, so the document leaves them out
            assertThat(new TreeSet<>(doc.operations())).isEqualTo(new TreeSet<>(node.api().routes().stream().filter(r -> !Dashboard.serves(r)).toList()));
        }
    }

    @Test
    void everyAnswerOfEveryRouteIsDocumentedAndMatchesItsSchema(@TempDir Path dataDir) throws Exception {
        try (TestDb db = TestPostgres.embedded().createDatabase(); WebhookReceiver failing = new WebhookReceiver();
             Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_SIGNUP", "closed", "STREAMHOOK_DELIVERY_MAX_ATTEMPTS", "1"))) {
            db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
            failing.respondWith(500); // once; then 200
            Checked anonymous = new Checked(new ApiClient(node.port()));
            Checked admin = new Checked(new ApiClient(node.port()).withKey(node.adminKey().orElseThrow()));
            anonymous.call("GET", "/healthz", null, 200);
            anonymous.call("GET", "/readyz", null, 200);
            anonymous.call("GET", "/v1/openapi.json", null, 200);
            anonymous.call("POST", "/v1/accounts", "{\"email\": \"anon@example.com\"}", 403);
            anonymous.call("GET", "/v1/sources", null, 401);
            anonymous.call("GET", "/metrics", null, 401);

            JsonNode account = admin.call("POST", "/v1/accounts", "{\"email\": \"openapi@example.com\"}", 201);
            admin.call("POST", "/v1/accounts", "{\"email\": \"openapi@example.com\"}", 409);
            admin.call("POST", "/v1/accounts", "{\"email\": \"not an email\"}", 400);
            admin.raw("POST", "/v1/accounts", "text/plain", "email=x", 415);
            Checked user = new Checked(new ApiClient(node.port()).withKey(account.get("api_key").asText()));
            String accountId = account.get("id").asText();
            admin.call("PATCH", "/v1/accounts/" + accountId, "{\"monthly_event_limit\": 1000}", 200);
            admin.call("PATCH", "/v1/accounts/" + accountId, "{\"monthly_event_limit\": \"unlimited\"}", 200);
            admin.call("PATCH", "/v1/accounts/acc_nobody", "{\"monthly_event_limit\": null}", 404);
            user.call("PATCH", "/v1/accounts/" + accountId, "{\"monthly_event_limit\": 5}", 403);
            user.call("GET", "/v1/usage", null, 200);

            String key = user.call("POST", "/v1/api_keys", "{\"name\": \"ci\"}", 201).get("id").asText();
            user.call("POST", "/v1/api_keys", "{\"name\": 5}", 400);
            user.call("GET", "/v1/api_keys", null, 200);
            user.call("DELETE", "/v1/api_keys/" + key, null, 200);
            user.call("DELETE", "/v1/api_keys/key_nobody", null, 404);
            String firstKey = user.call("GET", "/v1/api_keys", null, 200).at("/data/0/id").asText();
            user.call("DELETE", "/v1/api_keys/" + firstKey, null, 409);

            String source = user.call("POST", "/v1/sources", """
                    {"name": "shop", "type": "postgresql", "connection_uri": "%s", "tables": ["orders"]}""".formatted(db.uri()), 201)
                    .get("id").asText();
            user.call("POST", "/v1/sources", "{\"name\": \"no uri\", \"tables\": [\"orders\"]}", 400);
            user.call("POST", "/v1/sources", """
                    {"name": "missing table", "connection_uri": "%s", "tables": ["nowhere"]}""".formatted(db.uri()), 422);
            user.call("GET", "/v1/sources", null, 200);
            user.call("GET", "/v1/sources/" + source, null, 200);
            user.call("GET", "/v1/sources/src_nobody", null, 404);
            user.call("PATCH", "/v1/sources/" + source, "{\"name\": \"shop (production)\"}", 200);
            user.call("PATCH", "/v1/sources/" + source, "{\"status\": \"sleeping\"}", 400);
            user.call("PATCH", "/v1/sources/" + source, "{\"replica_identity\": {\"orders\": \"full\"}}", 200);
            user.call("PATCH", "/v1/sources/" + source, "{\"replica_identity\": {\"nowhere\": \"full\"}}", 422);
            user.call("POST", "/v1/sources/discover", "{\"connection_uri\": \"%s\"}".formatted(db.uri()), 200);
            user.call("POST", "/v1/sources/discover", "{}", 400);
            user.call("GET", "/v1/sources/" + source + "/tables", null, 200);
            user.call("POST", "/v1/sources/" + source + "/recreate_slot", null, 409);
            String slot = user.call("GET", "/v1/sources/" + source, null, 200).get("slot_name").asText();
            db.dropSlotByHand(slot);
            await().atMost(Duration.ofSeconds(30)).until(() -> user.client.get("/v1/sources/" + source).text("status").equals("error"));
            user.call("GET", "/v1/sources/" + source, null, 200);
            user.call("POST", "/v1/sources/" + source + "/recreate_slot", null, 200);

            // a snapshot and a backfill, waiting for a destination this source never gets
            db.execute("CREATE TABLE products (id int PRIMARY KEY)", "INSERT INTO products VALUES (1), (2)");
            String catalog = user.call("POST", "/v1/sources", """
                    {"name": "catalog", "connection_uri": "%s", "tables": ["products"], "snapshot": true}""".formatted(db.uri()), 201)
                    .get("id").asText();
            user.call("POST", "/v1/sources", """
                    {"name": "bad", "connection_uri": "%s", "tables": ["products"], "snapshot": "yes"}""".formatted(db.uri()), 400);
            String backfill = user.call("POST", "/v1/sources/" + catalog + "/backfills", "{\"table\": \"public.products\"}", 202)
                    .get("id").asText();
            user.call("POST", "/v1/sources/" + catalog + "/backfills", "{\"table\": \"orders\"}", 400);
            user.call("GET", "/v1/sources/" + catalog + "/backfills", null, 200);
            user.call("GET", "/v1/sources/" + catalog + "/backfills/" + backfill, null, 200);
            user.call("GET", "/v1/sources/" + catalog + "/backfills/bf_nobody", null, 404);
            user.call("GET", "/v1/sources/" + catalog, null, 200);
            user.call("DELETE", "/v1/sources/" + catalog, null, 200);

            String destination = user.call("POST", "/v1/sources/" + source + "/destinations", """
                    {"url": "%s", "secret": "whsec_openapi_secret", "headers": {"Authorization": "Bearer a-long-enough-token"}}"""
                    .formatted(failing.url()), 201).get("id").asText();
            user.call("POST", "/v1/sources/" + source + "/destinations", "{\"url\": \"ftp://example.com\"}", 400);
            user.call("GET", "/v1/sources/" + source + "/destinations", null, 200);
            String path = "/v1/sources/" + source + "/destinations/" + destination;
            user.call("GET", path, null, 200);
            user.call("PATCH", path, "{\"max_in_flight\": 4}", 200);
            user.call("PATCH", path, """
                    {"retry": {"max_attempts": 1, "schedule": [5, 0.5]}, "timeout_ms": 5000, "connect_timeout_ms": 1000}""", 200);
            user.call("PATCH", path, "{\"retry\": {\"schedule\": [0]}}", 400);
            user.call("PATCH", path, "{\"status\": \"paused\"}", 200);
            user.call("PATCH", path, "{\"status\": \"disabled\"}", 400);
            user.call("PATCH", path, "{\"status\": \"active\", \"retry\": null}", 200);
            user.call("PATCH", path, "{\"secret\": \"whsec_another_openapi_secret\", \"previous_secret_expires_in\": 600}", 200);
            user.call("PATCH", path, "{\"signature_scheme\": \"both\"}", 400); // the secret is not in the whsec_<base64> form
            user.call("POST", path + "/rotate_secret", "{\"previous_secret_expires_in\": 3600}", 200);
            user.call("POST", path + "/rotate_secret", null, 200);
            user.call("PATCH", path, "{\"signature_scheme\": \"both\"}", 200);
            user.call("POST", "/v1/sources/" + source + "/destinations/dst_nobody/rotate_secret", null, 404);
            user.call("PATCH", path, "{\"on_failure\": \"sometimes\"}", 400);
            user.call("GET", "/v1/sources/" + source + "/destinations/dst_nobody", null, 404);

            db.execute("INSERT INTO orders VALUES (42, 'paid')");
            await().atMost(Duration.ofSeconds(60)).until(() -> user.client.get("/v1/events?status=failed").body().get("data").size() == 1);
            String event = user.call("GET", "/v1/events", null, 200).at("/data/0/id").asText();
            user.call("GET", "/v1/events?status=failed&operation=INSERT&table=orders&limit=1", null, 200);
            user.call("GET", "/v1/events?limit=1000", null, 400);
            user.call("GET", "/v1/events/" + event, null, 200);
            user.call("GET", "/v1/events/evt_nobody", null, 404);
            user.call("POST", "/v1/events/" + event + "/retry", null, 202);
            // the receiver answered 500 once, so the retry succeeds: the event then shows two attempts
            await().atMost(Duration.ofSeconds(60)).until(() -> user.client.get("/v1/events?status=succeeded").body().get("data").size() == 1);
            assertThat(failing.requests()).hasSize(2);
            user.call("GET", "/v1/events/" + event, null, 200);
            user.call("POST", "/v1/events/" + event + "/retry", null, 409); // nothing failed now
            user.call("POST", "/v1/events/" + event + "/retry?force=maybe", null, 400);
            user.call("POST", "/v1/events/" + event + "/retry", "{\"destination_id\": \"dst_nobody\"}", 404);

            // a second failure, skipped by hand; then replays of the destination
            failing.respondWith(500);
            db.execute("INSERT INTO orders VALUES (43, 'paid')");
            await().atMost(Duration.ofSeconds(60)).until(() -> user.client.get("/v1/events?status=failed").body().get("data").size() == 1);
            String second = user.call("GET", "/v1/events?status=failed", null, 200).at("/data/0/id").asText();
            user.call("POST", "/v1/events/" + second + "/skip", "{\"destination_id\": \"" + destination + "\"}", 200);
            user.call("POST", "/v1/events/" + second + "/skip", null, 409);
            user.call("POST", path + "/replay", "{\"status\": \"failed\"}", 202);
            user.call("POST", path + "/replay", "{\"from\": \"2026-01-01T00:00:00Z\", \"to\": \"2100-01-01T00:00:00Z\"}", 202);
            user.call("POST", path + "/replay", "{\"status\": \"failed\", \"to\": \"2100-01-01T00:00:00Z\"}", 400);
            user.call("POST", "/v1/sources/" + source + "/destinations/dst_nobody/replay", "{\"status\": \"failed\"}", 404);
            user.call("PATCH", path, "{\"on_failure\": \"skip\"}", 200);

            user.call("GET", "/v1/sources/" + source + "/stats", null, 200);
            user.call("GET", "/v1/sources/" + source + "/stats?range=24h", null, 200);
            user.call("GET", "/v1/sources/" + source + "/stats?range=week", null, 400);
            user.call("GET", "/v1/sources/src_nobody/stats", null, 404);
            user.call("POST", path + "/test", null, 200);
            user.call("POST", path + "/test", "{\"kind\": \"ping\"}", 400);
            user.call("POST", "/v1/sources/" + source + "/destinations/dst_nobody/test", null, 404);
            admin.call("GET", "/metrics", null, 200);
            user.call("GET", "/metrics", null, 403);
            user.call("DELETE", path, null, 200);
            user.call("DELETE", "/v1/sources/" + source, null, 200);

            Set<String> succeeded = new TreeSet<>();
            List<Checked> callers = List.of(anonymous, admin, user);
            callers.forEach(c -> succeeded.addAll(c.succeeded));
            assertThat(succeeded).as("each documented operation answered with success at least once").isEqualTo(new TreeSet<>(doc.operations()));
        }
    }

    /** A client whose every answer is held to the document. */
    private final class Checked {
        final ApiClient client;
        final Set<String> succeeded = new TreeSet<>();

        Checked(ApiClient client) {
            this.client = client;
        }

        JsonNode call(String method, String pathAndQuery, String json, int expectedStatus) {
            return raw(method, pathAndQuery, json == null ? null : "application/json", json, expectedStatus);
        }

        JsonNode raw(String method, String pathAndQuery, String contentType, String body, int expectedStatus) {
            ApiClient.RawResponse r = client.raw(method, pathAndQuery, contentType, body);
            String what = method + " " + pathAndQuery + " -> " + r.status() + " " + r.text();
            assertThat(r.status()).as(what).isEqualTo(expectedStatus);
            String path = pathAndQuery.split("\\?", 2)[0];
            String template = doc.template(method, path).orElseThrow(() -> new AssertionError("not documented: " + method + " " + path));
            String response = doc.response(method, template, r.status())
                    .orElseThrow(() -> new AssertionError("status " + r.status() + " is not documented for " + method + " " + template + ": " + r.text()));
            if (r.status() < 300) {
                succeeded.add(method + " " + template);
            }
            if (doc.root.at(response + "/content/text~1plain").isObject()) {
                assertThat(r.contentType()).as(what).startsWith("text/plain");
                return null;
            }
            JsonNode parsed;
            try {
                parsed = MAPPER.readTree(r.text());
            } catch (IOException e) {
                throw new UncheckedIOException(what, e);
            }
            if (doc.root.at(response + "/content/application~1json/schema").isObject()) {
                assertThat(r.contentType()).as(what).startsWith("application/json");
                List<String> problems = new ArrayList<>(doc.problems(response + "/content/application~1json/schema", parsed));
                assertThat(problems).as(what).isEmpty();
            }
            return parsed;
        }
    }
}
