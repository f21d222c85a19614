package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * Table discovery before and after a source exists, {@code "tables": "*"} (tables created later
 * too), and per-table replica identity, on every PostgreSQL server of the run (14 has neither FOR
 * TABLES IN SCHEMA nor column lists), as a role that is not a superuser (the case where FOR ALL
 * TABLES and FOR TABLES IN SCHEMA are not available). The tests share one node, each with an
 * account of its own.
 */
class DiscoverIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final AtomicInteger accounts = new AtomicInteger();
    @TempDir
    static Path dataDir;
    private static Main.Node node;
    private final List<TestDb> dbs = new ArrayList<>();
    private ApiClient api;
    private WebhookReceiver receiver;

    static Stream<TestPostgres.Server> servers() {
        return TestPostgres.allOncePerBuild().stream();
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
    void signUp() {
        api = new ApiClient(node.port()).signUp("discover" + accounts.incrementAndGet() + "@example.com");
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stop() {
        receiver.close();
        for (TestDb db : dbs) {
            db.close();
            db.server().dropRole(role(db)); // after its database, where its objects and grants were
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void discoveryListsEveryTableWithItsKeyReplicaIdentityAndWhetherTheRoleCanCaptureIt(TestPostgres.Server server) {
        TestDb db = shopDatabase(server);

        ApiClient.Response found = api.post("/v1/sources/discover", "{\"connection_uri\": \"" + db.uri(role(db), null) + "\"}");

        assertThat(found.status()).as(found.body().toString()).isEqualTo(200);
        assertThat(found.body().path("can_replicate").asBoolean()).isTrue();
        assertThat(found.body().path("problems")).isEmpty();
        assertThat(names(found.body().path("data"))).containsExactly("public.admin_only", "public.shared", "shop.audit", "shop.keyed",
                "shop.log", "shop.orders", "shop.scratch");
        JsonNode orders = table(found.body(), "shop.orders");
        assertThat(orders.path("primary_key").toString()).isEqualTo("[\"id\"]");
        assertThat(orders.path("replica_identity").asText()).isEqualTo("default");
        assertThat(orders.path("before").asText()).isEqualTo("key");
        assertThat(orders.path("capturable").asBoolean()).isTrue();
        assertThat(orders.path("advice").asText()).contains("{\"replica_identity\": {\"shop.orders\": \"full\"}}");
        assertThat(table(found.body(), "shop.audit").path("before").asText()).isEqualTo("full");
        assertThat(table(found.body(), "shop.audit").path("advice").isNull()).isTrue();
        JsonNode keyed = table(found.body(), "shop.keyed");
        assertThat(keyed.path("replica_identity").asText()).isEqualTo("index");
        assertThat(keyed.path("before_columns").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(table(found.body(), "shop.log").path("capturable").asBoolean()).isFalse();
        assertThat(table(found.body(), "shop.log").path("reason").asText()).contains("UPDATE and DELETE on it would fail");
        assertThat(table(found.body(), "shop.scratch").path("reason").asText()).contains("unlogged");
        assertThat(table(found.body(), "public.admin_only").path("reason").asText()).contains("may not read");
        JsonNode shared = table(found.body(), "public.shared");
        assertThat(shared.path("reason").asText()).contains("ownership");
        assertThat(shared.path("advice").asText()).contains("the table's owner must run");
        assertThat(found.body().path("data").get(0).has("captured")).as("no source yet").isFalse();

        ApiClient.Response refused = api.post("/v1/sources/discover", "{\"connection_uri\": \"postgres://u@169.254.169.254/db\"}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().at("/error/param").asText()).isEqualTo("connection_uri");
        assertThat(api.post("/v1/sources/discover", "{}").status()).isEqualTo(400);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void everyTableIsCapturedIncludingOneCreatedLaterAndKeylessTablesAreLeftAlone(TestPostgres.Server server) throws Exception {
        TestDb db = shopDatabase(server);
        String id = source(db, "\"*\"");
        assertThat(api.get("/v1/sources/" + id).text("tables")).isEqualTo("*");
        assertThat(captured(id)).containsExactly("shop.audit", "shop.keyed", "shop.orders");

        db.execute("SET ROLE " + role(db), "INSERT INTO shop.orders VALUES (1, 'new')");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 1);

        db.execute("SET ROLE " + role(db), "CREATE TABLE shop.later (id int PRIMARY KEY, note text)", "CREATE TABLE shop.later_log (v text)");
        await().atMost(Duration.ofSeconds(40)).until(() -> captured(id).contains("shop.later"));
        db.execute("SET ROLE " + role(db), "INSERT INTO shop.later VALUES (7, 'created after the source')",
                "INSERT INTO shop.later_log VALUES ('x')", "UPDATE shop.later_log SET v = 'y'", "UPDATE shop.log SET v = 'z'");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().stream().anyMatch(r -> r.bodyText().contains("created after")));
        JsonNode event = MAPPER.readTree(receiver.requests().stream().filter(r -> r.bodyText().contains("created after")).findFirst()
                .orElseThrow().body());
        assertThat(event.at("/source/table").asText()).isEqualTo("later");
        assertThat(captured(id)).as("keyless tables stay out: publishing them would break UPDATE on them").doesNotContain("shop.later_log");
        await().atMost(Duration.ofSeconds(20)).until(() -> names(api.get("/v1/sources/" + id).body().path("table_details")).contains("shop.later"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void theSourceShowsWhetherBeforeIsFullAndPatchSetsReplicaIdentityWhereTheRoleOwnsTheTable(TestPostgres.Server server) throws Exception {
        TestDb db = shopDatabase(server);
        String id = source(db, "[\"shop.orders\"]");
        await().atMost(Duration.ofSeconds(20)).until(() -> !api.get("/v1/sources/" + id).body().path("table_details").isNull());
        JsonNode before = api.get("/v1/sources/" + id).body().path("table_details").get(0);
        assertThat(before.path("name").asText()).isEqualTo("shop.orders");
        assertThat(before.path("before").asText()).isEqualTo("key");
        assertThat(before.path("advice").asText()).contains("replica_identity");

        ApiClient.Response full = api.patch("/v1/sources/" + id, "{\"replica_identity\": {\"shop.orders\": \"full\"}}");

        assertThat(full.status()).as(full.body().toString()).isEqualTo(200);
        assertThat(full.body().path("table_details").get(0).path("before").asText()).isEqualTo("full");
        db.execute("SET ROLE " + role(db), "INSERT INTO shop.orders VALUES (1, 'new')", "UPDATE shop.orders SET status = 'paid' WHERE id = 1");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 2);
        JsonNode update = MAPPER.readTree(receiver.requests().get(1).body());
        assertThat(update.path("before").toString()).isEqualTo("{\"id\":1,\"status\":\"new\"}");

        ApiClient.Response notOwner = api.patch("/v1/sources/" + id, "{\"replica_identity\": {\"public.shared\": \"full\"}}");
        assertThat(notOwner.status()).as(notOwner.body().toString()).isEqualTo(422);
        assertThat(notOwner.body().at("/error/param").asText()).isEqualTo("replica_identity");
        assertThat(notOwner.body().at("/error/message").asText()).contains("public.shared").contains("REPLICA IDENTITY FULL");
        ApiClient.Response badValue = api.patch("/v1/sources/" + id, "{\"replica_identity\": {\"shop.orders\": \"everything\"}}");
        assertThat(badValue.status()).isEqualTo(400);
        assertThat(badValue.body().at("/error/param").asText()).isEqualTo("replica_identity");

        ApiClient.Response tables = api.get("/v1/sources/" + id + "/tables");
        assertThat(tables.status()).isEqualTo(200);
        assertThat(table(tables.body(), "shop.orders").path("captured").asBoolean()).isTrue();
        assertThat(table(tables.body(), "shop.audit").path("captured").asBoolean()).isFalse();
        assertThat(api.get("/v1/sources/src_nothere/tables").status()).isEqualTo(404);

        ApiClient.Response everyTable = api.patch("/v1/sources/" + id, "{\"tables\": \"*\"}");
        assertThat(everyTable.status()).as(everyTable.body().toString()).isEqualTo(200);
        assertThat(everyTable.text("tables")).isEqualTo("*");
        assertThat(captured(id)).containsExactly("shop.audit", "shop.keyed", "shop.orders");
        assertThat(api.patch("/v1/sources/" + id, "{\"tables\": [\"*\", \"shop.orders\"]}").status()).isEqualTo(400);
    }

    // ---- helpers

    /**
     * A database with a role that may replicate and owns the schema {@code shop}, but is no
     * superuser, and tables of every kind discovery tells apart.
     */
    private TestDb shopDatabase(TestPostgres.Server server) {
        TestDb db = server.createDatabase();
        dbs.add(db);
        String role = role(db);
        db.execute("CREATE ROLE " + role + " LOGIN REPLICATION", "GRANT CREATE ON DATABASE " + db.name() + " TO " + role,
                "CREATE SCHEMA shop AUTHORIZATION " + role,
                "CREATE TABLE public.admin_only (id int PRIMARY KEY)",
                "CREATE TABLE public.shared (id int PRIMARY KEY)", "GRANT SELECT ON public.shared TO " + role,
                "SET ROLE " + role,
                "CREATE TABLE shop.orders (id int PRIMARY KEY, status text)",
                "CREATE TABLE shop.audit (id int, v text)", "ALTER TABLE shop.audit REPLICA IDENTITY FULL",
                "CREATE TABLE shop.keyed (a int NOT NULL, b int NOT NULL, v text)", "CREATE UNIQUE INDEX keyed_ab ON shop.keyed (a, b)",
                "ALTER TABLE shop.keyed REPLICA IDENTITY USING INDEX keyed_ab",
                "CREATE TABLE shop.log (v text)", "INSERT INTO shop.log VALUES ('a')",
                "CREATE UNLOGGED TABLE shop.scratch (id int PRIMARY KEY)");
        return db;
    }

    private static String role(TestDb db) {
        return "app_" + db.name();
    }

    private String source(TestDb db, String tables) {
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "shop", "connection_uri": "%s", "tables": %s}""".formatted(db.uri(role(db), null), tables));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        String id = source.text("id");
        assertThat(api.post("/v1/sources/" + id + "/destinations", "{\"url\": \"" + receiver.url() + "\"}").status()).isEqualTo(201);
        return id;
    }

    /** The tables the source's publication holds, as {@code GET /v1/sources/:id/tables} marks them. */
    private List<String> captured(String id) {
        List<String> out = new ArrayList<>();
        api.get("/v1/sources/" + id + "/tables").body().path("data").forEach(t -> {
            if (t.path("captured").asBoolean()) {
                out.add(t.path("name").asText());
            }
        });
        return out;
    }

    private static List<String> names(JsonNode tables) {
        List<String> out = new ArrayList<>();
        tables.forEach(t -> out.add(t.path("name").asText()));
        return out;
    }

    private static JsonNode table(JsonNode body, String name) {
        for (JsonNode t : body.path("data")) {
            if (t.path("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no table " + name + " in " + body);
    }
}
