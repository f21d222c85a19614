package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.NodeJs;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's quickstart, step by step through the REST API with the default closed sign-up and
 * the admin key of the first start, against a real PostgreSQL and a real HTTP receiver; the page's
 * own JavaScript checks every signature.
 */
class QuickstartIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SECRET = "whsec_your_signing_secret";

    static Stream<TestPostgres.Server> servers() {
        return TestPostgres.allOncePerBuild().stream(); // every version on the SQLite store's run; the embedded one on the PostgreSQL store's
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void eachInsertUpdateAndDeleteArrivesSignedInCommitOrderWithEveryDocumentedField(TestPostgres.Server server, @TempDir Path dataDir)
            throws Exception {
        try (TestDb db = server.createDatabase(); WebhookReceiver receiver = new WebhookReceiver(); Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_SIGNUP", "closed"))) {
            db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text, amount numeric(10,2), updated_at timestamptz)",
                    "ALTER TABLE orders REPLICA IDENTITY FULL");
            // the default closed sign-up: the first start made the admin account and gave its key once
            String adminKey = node.adminKey().orElseThrow();
            ApiClient api = new ApiClient(node.port()).withKey(adminKey);
            ApiClient.Response colleague = api.post("/v1/accounts", "{\"email\": \"colleague@example.com\"}");
            assertThat(colleague.status()).as(colleague.body().toString()).isEqualTo(201);
            assertThat(colleague.text("api_key")).startsWith("sk_live_");

            ApiClient.Response source = api.post("/v1/sources", """
                    {"name": "Production Postgres", "type": "postgresql", "connection_uri": "%s", "tables": ["orders"]}
                    """.formatted(db.uri()));
            assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
            String sourceId = source.text("id");
            assertThat(sourceId).startsWith("src_");

            ApiClient.Response destination = api.post("/v1/sources/" + sourceId + "/destinations", """
                    {"url": "%s", "secret": "%s", "headers": {"Authorization": "Bearer your_token"}}
                    """.formatted(receiver.url(), SECRET));
            assertThat(destination.status()).as(destination.body().toString()).isEqualTo(201);
            assertThat(destination.text("id")).startsWith("dst_");
            assertThat(destination.body().toString()).doesNotContain(SECRET);

            db.execute("INSERT INTO orders VALUES (42, 'pending', 99.00, '2026-03-13 10:29:50+00')");
            db.execute("UPDATE orders SET status = 'shipped', updated_at = '2026-03-13 10:30:00+00' WHERE id = 42");
            db.execute("DELETE FROM orders WHERE id = 42");
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 3);
            List<WebhookReceiver.Request> requests = receiver.requests();
            assertThat(requests).hasSize(3);

            List<JsonNode> events = requests.stream().map(r -> read(r.bodyText())).toList();
            assertThat(events).extracting(e -> e.get("operation").asText()).containsExactly("INSERT", "UPDATE", "DELETE");
            String pending = "{\"id\":42,\"status\":\"pending\",\"amount\":99,\"updated_at\":\"2026-03-13T10:29:50.000Z\"}";
            String shipped = "{\"id\":42,\"status\":\"shipped\",\"amount\":99,\"updated_at\":\"2026-03-13T10:30:00.000Z\"}";
            assertThat(requests.get(0).bodyText()).contains("\"before\":null,\"after\":" + pending + ",");
            assertThat(requests.get(1).bodyText()).contains("\"before\":" + pending + ",\"after\":" + shipped + ",");
            assertThat(requests.get(2).bodyText()).contains("\"before\":" + shipped + ",\"after\":null,");
            for (int i = 0; i < 3; i++) {
                JsonNode e = events.get(i);
                WebhookReceiver.Request r = requests.get(i);
                assertThat(e.get("id").asText()).matches("evt_[0-9a-f]{32}");
                assertThat(e.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(\\d{3})?Z");
                assertThat(e.get("source").toString()).isEqualTo(
                        "{\"database\":\"" + db.name() + "\",\"schema\":\"public\",\"table\":\"orders\"}");
                assertThat(e.get("metadata").get("source_id").asText()).isEqualTo(sourceId);
                assertThat(e.get("metadata").get("connector").asText()).isEqualTo("postgresql");
                assertThat(e.get("metadata").get("lsn").asText()).matches("[0-9A-F]+/[0-9A-F]+");
                assertThat(e.get("metadata").get("snapshot").asBoolean()).isFalse();
                assertThat(r.header("Content-Type")).isEqualTo("application/json");
                assertThat(r.header("User-Agent")).isEqualTo("StreamHook/1.0");
                assertThat(r.header("X-StreamHook-Event-ID")).isEqualTo(e.get("id").asText());
                assertThat(r.header("X-StreamHook-Signature")).matches("sha256=[0-9a-f]{64}");
                assertThat(Long.parseLong(r.header("X-StreamHook-Timestamp"))).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(120L));
                assertThat(r.header("Authorization")).isEqualTo("Bearer your_token");
            }
            assertThat(NodeJs.verifySignatures(requests, SECRET).toString()).isEqualTo("[true,true,true]");
            assertThat(NodeJs.verifySignatures(requests, "whsec_another_secret").toString()).isEqualTo("[false,false,false]");

            // a change made once capture is streaming arrives too; how fast is the benchmark's to say
            // (bin/streamhook bench, docs/performance.md), not a timed test's
            db.execute("INSERT INTO orders VALUES (43, 'paid', 10.50, now())");
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 4);

            JsonNode list = api.get("/v1/events?source_id=" + sourceId).body();
            assertThat(list.get("data")).extracting(e -> e.get("operation").asText()).containsExactly("INSERT", "DELETE", "UPDATE", "INSERT");
            JsonNode detail = api.get("/v1/events/" + events.get(0).get("id").asText()).body();
            assertThat(detail.get("payload")).isEqualTo(events.get(0));
            assertThat(detail.at("/deliveries/0/status").asText()).isEqualTo("succeeded");
            assertThat(detail.at("/deliveries/0/attempts/0/status_code").asInt()).isEqualTo(200);

            // the slot's lag is measured by capture in the background; the API shows the last measurement
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/sources/" + sourceId).body().at("/stats/slot_lag_bytes").isNumber());
            JsonNode stats = api.get("/v1/sources/" + sourceId).body();
            assertThat(stats.at("/stats/events_captured").asLong()).isEqualTo(4);
            assertThat(stats.at("/stats/slot_lag_measured_at").isTextual()).as(stats.toString()).isTrue();
            assertThat(stats.get("status").asText()).isEqualTo("active");

            assertThat(api.delete("/v1/sources/" + sourceId).status()).isEqualTo(200);
            assertThat(db.slotCount("streamhook_" + sourceId)).isZero();
        }
    }

    private static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
