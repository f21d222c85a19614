package dev.streamhook.capture;

import static dev.streamhook.capture.SnapshotIT.addDestination;
import static dev.streamhook.capture.SnapshotIT.bodies;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/sources/:id/backfills}: a table's rows sent again later, while the stream goes on;
 * on every PostgreSQL server of the run, one database on each. The tests share one node, each with
 * an account of its own.
 */
class BackfillIT {

    private static final AtomicInteger accounts = new AtomicInteger();
    @TempDir
    static Path dataDir;
    private static Main.Node node;
    private TestDb db;
    private WebhookReceiver receiver;
    private ApiClient api;

    static Stream<TestPostgres.Server> servers() {
        return TestPostgres.allOncePerBuild().stream(); // each source version once per build; the PostgreSQL store's run on the embedded one
    }

    @BeforeAll
    static void startNode() {
        node = TestNodes.start(dataDir);
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void setUp() {
        receiver = new WebhookReceiver();
        api = newAccount();
    }

    @AfterEach
    void tearDown() {
        receiver.close();
        if (db != null) {
            db.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aBackfillOfOneTableSendsItsRowsAsSnapshotInsertsWhileTheStreamGoesOn(TestPostgres.Server server) {
        db = server.createDatabase();
        db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)", "CREATE TABLE users (id int PRIMARY KEY, email text)",
                "INSERT INTO orders VALUES (1, 'paid'), (2, 'paid'), (3, 'new')", "INSERT INTO users VALUES (1, 'a@example.com')");
        String sourceId = createSourceOf("[\"orders\", \"users\"]");
        addDestination(api, sourceId, receiver.url());
        assertThat(api.get("/v1/sources/" + sourceId).body().path("snapshot").isNull()).as("none was asked for").isTrue();
        db.execute("INSERT INTO orders VALUES (4, 'new')");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 1);

        ApiClient.Response accepted = api.post("/v1/sources/" + sourceId + "/backfills", "{\"table\": \"public.orders\"}");

        assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(202);
        assertThat(accepted.text("id")).startsWith("bf_");
        assertThat(accepted.text("kind")).isEqualTo("backfill");
        assertThat(accepted.body().at("/tables/0/table").asText()).isEqualTo("public.orders");
        JsonNode done = await().atMost(Duration.ofSeconds(30)).until(
                () -> api.get("/v1/sources/" + sourceId + "/backfills").body().at("/data/0"), b -> b.path("status").asText().equals("done"));
        assertThat(done.at("/tables/0/rows_done").asLong()).isEqualTo(4);
        assertThat(done.at("/tables/0/status").asText()).isEqualTo("done");
        assertThat(api.get("/v1/sources/" + sourceId + "/backfills/" + accepted.text("id")).body().path("status").asText()).isEqualTo("done");
        db.execute("UPDATE users SET email = 'b@example.com' WHERE id = 1");
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 6);

        List<JsonNode> events = bodies(receiver);
        assertThat(events).hasSize(6);
        List<JsonNode> snapshotted = events.stream().filter(e -> e.at("/metadata/snapshot").asBoolean()).toList();
        assertThat(snapshotted).extracting(e -> e.at("/source/table").asText()).containsOnly("orders");
        assertThat(snapshotted).extracting(e -> e.at("/after/id").asInt()).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(events.get(5).path("operation").asText()).isEqualTo("UPDATE");
        assertThat(events.get(5).at("/source/table").asText()).isEqualTo("users");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aSnapshotRowReadsExactlyAsTheStreamedInsertOfTheSameRow(TestPostgres.Server server) {
        db = server.createDatabase();
        String values = "-32768, 9007199254740991, 9223372036854775807, 0.1, 1e21, 'NaN', 99.00, 12345678901234567890.123, "
                + "true, '{\"b\": 1, \"10\": [1.50, \"x\"]}', '{\"z\":1,\"a\":2}', '{\"a\",\"b \\\"q\\\"\",NULL}', '{{1,2},{3,4}}', "
                + "'\\x00ff10', '2026-03-13', '2026-03-13 10:30:00.123456+02', '2026-03-13 10:30:00', "
                + "'a1b2c3d4-0000-4000-8000-000000000001', 'happy', E'line\\nbreak é', 'ab', '10:30:00', '1 day 02:00:00', "
                + "'192.168.1.1', 'infinity', NULL)";
        db.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')",
                "CREATE TABLE kinds (id bigint PRIMARY KEY, small int2, big int8, huge int8, f4 float4, f8 float8, nan float8, "
                        + "exact numeric, inexact numeric, flag bool, doc jsonb, raw json, tags text[], grid int[][], blob bytea, "
                        + "day date, at timestamptz, local timestamp, u uuid, m mood, t text, ch char(3), tm time, iv interval, "
                        + "ip inet, forever timestamptz, nothing text, twice bigint GENERATED ALWAYS AS (id * 2) STORED)",
                "INSERT INTO kinds VALUES (1, " + values);
        String sourceId = createSourceOf("[\"kinds\"]");
        addDestination(api, sourceId, receiver.url());
        db.execute("INSERT INTO kinds VALUES (2, " + values);
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 1);

        assertThat(api.post("/v1/sources/" + sourceId + "/backfills", "{\"table\": [\"kinds\"]}").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 3);

        List<JsonNode> events = bodies(receiver);
        JsonNode streamed = events.get(0);
        assertThat(streamed.at("/metadata/snapshot").asBoolean()).isFalse();
        JsonNode snapshotOfTheSameRow = events.stream().filter(e -> e.at("/metadata/snapshot").asBoolean() && e.at("/after/id").asInt() == 2)
                .findFirst().orElseThrow();
        assertThat(snapshotOfTheSameRow.path("after").toString()).isEqualTo(streamed.path("after").toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aBadBackfillRequestAnswers400NamingTheTableOr404ForAnotherSource(TestPostgres.Server server) {
        db = server.createDatabase();
        db.execute("CREATE TABLE orders (id int PRIMARY KEY)", "CREATE TABLE log (line text)", "CREATE TABLE other (id int PRIMARY KEY)");
        String sourceId = createSourceOf("[\"orders\", \"log\"]");
        String path = "/v1/sources/" + sourceId + "/backfills";

        assertBadTable(api.post(path, "{}"), "required");
        assertBadTable(api.post(path, "{\"table\": 5}"), "required");
        assertBadTable(api.post(path, "{\"table\": []}"), "non-empty");
        assertBadTable(api.post(path, "{\"table\": \"a.b.c\"}"), "not a table name");
        assertBadTable(api.post(path, "{\"table\": \"public.other\"}"), "is not one of this source's tables");
        assertBadTable(api.post(path, "{\"table\": \"public.missing\"}"), "is not one of this source's tables");
        assertBadTable(api.post(path, "{\"table\": \"log\"}"), "has no primary key");
        ApiClient.Response unknownField = api.post(path, "{\"table\": \"orders\", \"tables\": [\"orders\"]}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.body().at("/error/param").asText()).isEqualTo("tables");
        assertThat(api.post("/v1/sources/src_doesnotexist0000/backfills", "{\"table\": \"orders\"}").status()).isEqualTo(404);
        ApiClient stranger = newAccount();
        assertThat(stranger.post(path, "{\"table\": \"orders\"}").status()).isEqualTo(404);
        assertThat(stranger.get(path).status()).isEqualTo(404);
        assertThat(api.get(path + "/bf_doesnotexist00000").status()).isEqualTo(404);
        assertThat(api.get(path).body().path("data")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aSnapshotOfATableWithoutPrimaryKeyIsRefusedWhenTheSourceIsMade(TestPostgres.Server server) {
        db = server.createDatabase();
        db.execute("CREATE TABLE log (line text)");
        ApiClient.Response refused = api.post("/v1/sources", """
                {"name": "s", "connection_uri": "%s", "tables": ["log"], "snapshot": true}""".formatted(db.uri()));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().at("/error/param").asText()).isEqualTo("snapshot");
        assertThat(refused.body().at("/error/message").asText()).contains("public.log has no primary key");
        ApiClient.Response notBoolean = api.post("/v1/sources", """
                {"name": "s", "connection_uri": "%s", "tables": ["log"], "snapshot": "yes"}""".formatted(db.uri()));
        assertThat(notBoolean.status()).isEqualTo(400);
        assertThat(notBoolean.body().at("/error/param").asText()).isEqualTo("snapshot");
        assertThat(api.get("/v1/sources").body().path("data")).isEmpty();
    }

    private static ApiClient newAccount() {
        return new ApiClient(node.port()).signUp("backfill" + accounts.incrementAndGet() + "@example.com");
    }

    private String createSourceOf(String tables) {
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "backfilled", "connection_uri": "%s", "tables": %s}""".formatted(db.uri(), tables));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        return source.text("id");
    }

    private static void assertBadTable(ApiClient.Response response, String messagePart) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(400);
        assertThat(response.body().at("/error/param").asText()).isEqualTo("table");
        assertThat(response.body().at("/error/message").asText()).contains(messagePart);
    }
}
