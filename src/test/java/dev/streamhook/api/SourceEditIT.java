package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.StoreFiles;
import dev.streamhook.testing.TcpProxy;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code PATCH /v1/sources/:id}: renaming, pausing delivery, changing tables and the connection URI;
 * and reads from the store. What an edit does in the source database (the publication, the slot,
 * capture going on) is checked on every PostgreSQL server of the run, one database on each; the
 * tests share one node, each with an account of its own.
 */
class SourceEditIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final AtomicInteger accounts = new AtomicInteger();
    @TempDir
    static Path dataDir;
    private static Main.Node node;
    private TestDb db;
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
        api = new ApiClient(node.port()).signUp("edit" + accounts.incrementAndGet() + "@example.com");
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stop() {
        receiver.close();
        if (db != null) {
            db.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aPausedSourceKeepsCapturingButSendsNothingAndResumingSendsTheBacklogInOrder(TestPostgres.Server server) throws Exception {
        useShopOn(server);
        String id = sourceWithDestination(db.uri());
        // one at a time, so that order across rows shows too (with more in flight, order holds per row)
        String destination = api.get("/v1/sources/" + id + "/destinations").body().at("/data/0/id").asText();
        api.patch("/v1/sources/" + id + "/destinations/" + destination, "{\"max_in_flight\": 1}");
        db.execute("INSERT INTO orders VALUES (1, 'a')");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 1);

        ApiClient.Response paused = api.patch("/v1/sources/" + id, "{\"status\": \"paused\"}");
        assertThat(paused.status()).as(paused.body().toString()).isEqualTo(200);
        assertThat(paused.text("status")).isEqualTo("paused");
        assertThat(paused.text("paused_at")).isNotNull();
        for (int i = 2; i <= 4; i++) {
            db.execute("INSERT INTO orders VALUES (" + i + ", 'b')");
        }
        long written = lsn("SELECT pg_current_wal_lsn() - '0/0'");
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/sources/" + id).body().at("/stats/events_captured").asLong() == 4);
        assertThat(api.get("/v1/sources/" + id).text("capture_status")).as("capture runs on").isEqualTo("active");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> receiver.requests().size() == 1);
        String slot = api.get("/v1/sources/" + id).text("slot_name");
        await("the slot is confirmed past the paused source's changes: the database keeps no WAL for them")
                .atMost(Duration.ofSeconds(30)).until(() -> {
                    // capture's confirmation goes out with its reply to the server's next message, which an idle server
                    // sends only after seconds: a write to a table the source does not capture makes it send one now
                    db.execute("INSERT INTO refunds SELECT coalesce(max(id), 0) + 1 FROM refunds");
                    return lsn("SELECT confirmed_flush_lsn - '0/0' FROM pg_replication_slots WHERE slot_name = '" + slot + "'") >= written;
                });

        ApiClient.Response resumed = api.patch("/v1/sources/" + id, "{\"status\": \"active\"}");
        assertThat(resumed.text("status")).isEqualTo("active");
        assertThat(resumed.body().path("paused_at").isNull()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 4);
        List<Integer> ids = new ArrayList<>();
        for (WebhookReceiver.Request r : receiver.requests()) {
            ids.add(MAPPER.readTree(r.body()).at("/after/id").asInt());
        }
        assertThat(ids).containsExactly(1, 2, 3, 4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void addingATablePublishesItWhileCaptureStreamsAndRenamingKeepsEverythingElse(TestPostgres.Server server) {
        useShopOn(server);
        String id = sourceWithDestination(db.uri());
        String publication = api.get("/v1/sources/" + id).text("publication_name");

        db.execute("INSERT INTO refunds VALUES (8)"); // before the edit: not captured
        ApiClient.Response patched = api.patch("/v1/sources/" + id, "{\"name\": \"shop db\", \"tables\": [\"orders\", \"public.refunds\"]}");

        assertThat(patched.status()).as(patched.body().toString()).isEqualTo(200);
        assertThat(patched.text("name")).isEqualTo("shop db");
        assertThat(patched.body().path("tables")).extracting(JsonNode::asText).containsExactly("public.orders", "public.refunds");
        assertThat(publishedTables(publication)).containsExactlyInAnyOrder("public.orders", "public.refunds");
        db.execute("INSERT INTO refunds VALUES (9)");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().stream().anyMatch(r -> new String(r.body()).contains("refunds")));
        assertThat(receiver.requests()).as("the new table's changes arrive from the edit on").hasSize(1);
        assertThat(receiver.requests().get(0).bodyText()).contains("\"id\":9");

        ApiClient.Response narrowed = api.patch("/v1/sources/" + id, "{\"tables\": [\"refunds\"]}");
        assertThat(narrowed.status()).isEqualTo(200);
        assertThat(publishedTables(publication)).containsExactly("public.refunds");
        assertThat(api.get("/v1/sources/" + id).text("name")).isEqualTo("shop db");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aNewConnectionUriIsCheckedAndCaptureResumesFromTheSameSlot(TestPostgres.Server server) throws Exception {
        useShopOn(server);
        String id = sourceWithDestination(db.uri());
        awaitStatus(id, "active");
        String slot = api.get("/v1/sources/" + id).text("slot_name");
        db.execute("INSERT INTO orders VALUES (1, 'a')");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 1);

        // the test servers trust connections from 127.0.0.1: any password is accepted, as a rotated one would be
        String password = "Rot" + UUID.randomUUID().toString().replace("-", "");
        ApiClient.Response patched = api.patch("/v1/sources/" + id, "{\"connection_uri\": \"" + db.uri("postgres", password) + "\"}");

        assertThat(patched.status()).as(patched.body().toString()).isEqualTo(200);
        assertThat(patched.text("connection_uri")).contains("postgres:****@").doesNotContain(password);
        assertThat(patched.text("slot_name")).as("the slot the source had").isEqualTo(slot);
        assertThat(StoreFiles.filesContaining(dataDir, password)).as("store files holding the new password").isEmpty();
        db.execute("INSERT INTO orders VALUES (2, 'b')");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 2);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> receiver.requests().size() == 2);
        assertThat(api.get("/v1/sources/" + id).text("slot_name")).isEqualTo(slot);
        assertThat(slotsOf(db)).as("the database's replication slots: no new one holds WAL for us").containsExactly(slot);

        try (TestDb other = server.createDatabase()) {
            other.execute("CREATE TABLE orders (id int PRIMARY KEY)");
            ApiClient.Response elsewhere = api.patch("/v1/sources/" + id, "{\"connection_uri\": \"" + other.uri() + "\"}");
            assertThat(elsewhere.status()).as(elsewhere.body().toString()).isEqualTo(422);
            assertThat(elsewhere.body().at("/error/type").asText()).isEqualTo("slot_not_found");
            assertThat(elsewhere.body().at("/error/param").asText()).isEqualTo("connection_uri");
        }
        assertThat(api.get("/v1/sources/" + id).text("database")).isEqualTo(db.name());
    }

    @Test
    void anEditIsValidatedLikeACreateAndABadOneChangesNothing() {
        useShopOn(TestPostgres.embedded());
        String id = sourceWithDestination(db.uri());
        String[][] cases = {
            {"{\"name\": \"\"}", "400", "name"},
            {"{\"name\": 7}", "400", "name"},
            {"{\"tables\": []}", "400", "tables"},
            {"{\"tables\": [\"missing\"]}", "422", "tables"},
            {"{\"status\": \"stopped\"}", "400", "status"},
            {"{\"connection_uri\": \"mysql://x@127.0.0.1/db\"}", "400", "connection_uri"},
            {"{\"type\": \"postgresql\"}", "400", "type"},
        };
        for (String[] c : cases) {
            ApiClient.Response r = api.patch("/v1/sources/" + id, c[0]);
            assertThat(r.status()).as(c[0] + " -> " + r.body()).isEqualTo(Integer.parseInt(c[1]));
            assertThat(r.body().at("/error/param").asText()).as(c[0]).isEqualTo(c[2]);
        }
        JsonNode after = api.get("/v1/sources/" + id).body();
        assertThat(after.path("name").asText()).isEqualTo("shop");
        assertThat(after.path("tables")).extracting(JsonNode::asText).containsExactly("public.orders");
    }

    @Test
    void aSourceIsReadFromTheStoreWhileItsDatabaseHostIsSilent() {
        TestPostgres.Server pg = TestPostgres.embedded();
        useShopOn(pg);
        try (TcpProxy proxy = new TcpProxy(pg.port())) {
            String uri = "postgres://" + pg.superuser() + "@127.0.0.1:" + proxy.port() + "/" + db.name();
            String id = sourceWithDestination(uri);
            awaitStatus(id, "active");
            await().atMost(Duration.ofSeconds(30)).until(() -> !api.get("/v1/sources/" + id).body().at("/stats/slot_lag_bytes").isNull());
            JsonNode measured = api.get("/v1/sources/" + id).body().path("stats");
            assertThat(measured.path("slot_lag_bytes").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(measured.path("slot_lag_measured_at").asText()).isNotBlank();

            proxy.freeze(); // a new connection to the database now hangs until its timeout
            long started = System.nanoTime();
            ApiClient.Response read = api.get("/v1/sources/" + id);
            long millis = (System.nanoTime() - started) / 1_000_000;

            assertThat(read.status()).isEqualTo(200);
            assertThat(millis).as("GET /v1/sources/:id took %d ms", millis).isLessThan(1_000);
            assertThat(read.body().at("/stats/slot_lag_bytes").isNumber()).as("the last measurement is still shown").isTrue();
            assertThat(api.get("/v1/sources").status()).isEqualTo(200);
        }
    }

    // ---- helpers

    private void useShopOn(TestPostgres.Server server) {
        db = server.createDatabase();
        db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)", "CREATE TABLE refunds (id int PRIMARY KEY)");
    }

    private static List<String> slotsOf(TestDb db) throws java.sql.SQLException {
        try (Connection c = db.connect();
             PreparedStatement q = c.prepareStatement("SELECT slot_name FROM pg_replication_slots WHERE database = current_database()")) {
            var rs = q.executeQuery();
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    private String sourceWithDestination(String uri) {
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "shop", "connection_uri": "%s", "tables": ["orders"]}""".formatted(uri));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        String id = source.text("id");
        ApiClient.Response destination = api.post("/v1/sources/" + id + "/destinations", "{\"url\": \"" + receiver.url() + "\"}");
        assertThat(destination.status()).as(destination.body().toString()).isEqualTo(201);
        return id;
    }

    private void awaitStatus(String sourceId, String status) {
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/sources/" + sourceId).text("status"), status::equals);
    }

    /** A pg_lsn expression ({@code lsn - '0/0'}) as a number. */
    private long lsn(String sql) {
        try (Connection c = db.connect(); var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> publishedTables(String publication) {
        try (Connection c = db.connect();
             PreparedStatement q = c.prepareStatement("SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
            q.setString(1, publication);
            var rs = q.executeQuery();
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
