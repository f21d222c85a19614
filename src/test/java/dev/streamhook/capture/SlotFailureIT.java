package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamhook.Main;
import dev.streamhook.event.Lsn;
import dev.streamhook.store.SecretBox;
import dev.streamhook.store.Sources;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * R6: slots that disappear or are invalidated, and the leftovers of a crash while a source was
 * being created. A slot dropped by hand and a crash's leftovers are checked on every PostgreSQL
 * server of the run, one database on each.
 */
class SlotFailureIT {

    /** Short, so that a source stuck in error says so within the test. */
    private static final Map<String, String> SETTINGS = Map.of("STREAMHOOK_SOURCE_STALL_SECONDS", "1");
    @TempDir
    Path dataDir;
    private TestDb db;
    private WebhookReceiver receiver;
    private Main.Node node;
    private ApiClient api;
    private String accountId;
    private String apiKey;

    static Stream<TestPostgres.Server> servers() {
        return TestPostgres.allOncePerBuild().stream(); // each source version once per build; the PostgreSQL store's run on the embedded one
    }

    @BeforeEach
    void setUp() {
        receiver = new WebhookReceiver();
        node = TestNodes.start(dataDir, SETTINGS);
        api = new ApiClient(node.port());
        ApiClient.Response account = api.post("/v1/accounts", "{\"email\": \"slots@example.com\"}");
        accountId = account.text("id");
        apiKey = account.text("api_key");
        api = api.withKey(apiKey);
    }

    @AfterEach
    void tearDown() {
        node.close();
        receiver.close();
        if (db != null) {
            db.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aSlotDroppedByHandPutsTheSourceInErrorWithTheReasonAndRecreatingItBringsEventsBack(TestPostgres.Server server) throws Exception {
        useDatabaseOn(server);
        String id = sourceWithDestination();
        String slot = api.get("/v1/sources/" + id).text("slot_name");
        db.execute("INSERT INTO orders VALUES (1, 'before the loss')");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 1);
        ApiClient.Response healthy = api.post("/v1/sources/" + id + "/recreate_slot", "{}");
        assertThat(healthy.status()).as("a healthy slot is not recreated: " + healthy.body()).isEqualTo(409);

        db.dropSlotByHand(slot);
        db.execute("INSERT INTO orders VALUES (2, 'while the slot is gone')");

        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/sources/" + id).text("status"), "error"::equals);
        ApiClient.Response broken = api.get("/v1/sources/" + id);
        assertThat(broken.text("status_message")).contains(slot).contains("no longer exists").contains("recreate_slot");
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/sources/" + id).body().path("warnings").toString()
                .contains("capture has not streamed for"));
        assertThat(db.slotCount(slot)).as("StreamHook does not recreate a slot behind the user's back").isZero();

        ApiClient.Response recreated = api.post("/v1/sources/" + id + "/recreate_slot", "{}");
        assertThat(recreated.status()).as(recreated.body().toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/sources/" + id).text("status"), "active"::equals);
        assertThat(api.get("/v1/sources/" + id).body().path("status_message").isNull()).isTrue();
        db.execute("INSERT INTO orders VALUES (3, 'after recreating')");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().stream().anyMatch(r -> r.bodyText().contains("after recreating")));
        assertThat(receiver.requests()).as("the change made while the slot was gone is lost, as documented")
                .noneMatch(r -> r.bodyText().contains("while the slot is gone"));
    }

    /**
     * On the classpath's embedded server only. The test changes max_slot_wal_keep_size for the whole
     * server (ALTER SYSTEM), which a test may do only on a server of its own: never on the machine's
     * PostgreSQL, which other builds use at the same time and which would keep the setting if the
     * test died half-way. And what StreamHook reads of an invalidated slot, {@code wal_status = 'lost'}
     * in pg_replication_slots, is the same on every version since 13: the other embedded versions
     * would add time, not a case.
     */
    @Test
    void aSlotInvalidatedByTheServerPutsTheSourceInError() throws Exception {
        useDatabaseOn(TestPostgres.embedded());
        String id = sourceWithDestination();
        String slot = api.get("/v1/sources/" + id).text("slot_name");
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/sources/" + id).text("status"), "active"::equals);
        node.close(); // nobody consumes the slot while the server removes its WAL
        try {
            db.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()");
            for (int round = 0; round < 20 && !"lost".equals(walStatus(slot)); round++) {
                db.execute("INSERT INTO orders SELECT g, repeat('x', 200) FROM generate_series(" + (round * 1000 + 10) + ", "
                        + (round * 1000 + 999) + ") g", "SELECT pg_switch_wal()", "CHECKPOINT");
            }
            assertThat(walStatus(slot)).as("the server invalidated the slot").isEqualTo("lost");
        } finally {
            db.execute("ALTER SYSTEM RESET max_slot_wal_keep_size", "SELECT pg_reload_conf()");
        }

        restart();
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/sources/" + id).text("status"), "error"::equals);
        assertThat(api.get("/v1/sources/" + id).text("status_message")).contains("invalidated").contains("wal_status = lost")
                .contains("recreate_slot");

        ApiClient.Response recreated = api.post("/v1/sources/" + id + "/recreate_slot", "{}");
        assertThat(recreated.status()).as(recreated.body().toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/sources/" + id).text("status"), "active"::equals);
        assertThat(walStatus(slot)).isNotEqualTo("lost");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aSlotAndPublicationLeftByACrashBeforeTheSourceWasCompleteAreDroppedAtTheNextStart(TestPostgres.Server server) throws Exception {
        useDatabaseOn(server);
        // what a crash between storing the source and finishing its creation leaves: the row, and
        // whatever of the publication and slot the database made, under the names StreamHook uses
        // slot names are per server, and the machine's PostgreSQL may serve another build at the same time
        String id = "src_crashed" + UUID.randomUUID().toString().replace("-", "").substring(0, 9);
        String slot = "streamhook_" + id;
        Sources sources = new Sources(node.db(), SecretBox.load(Optional.empty(), dataDir));
        sources.insert(new Sources.Source(id, accountId, "half made", "postgresql", db.uri(), db.name(), List.of("public.orders"),
                slot, slot, Sources.Status.STARTING, null, Lsn.ZERO, 0, null, System.currentTimeMillis()));
        db.execute("CREATE PUBLICATION " + slot + " FOR TABLE orders",
                "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        assertThat(db.slotCount(slot)).isEqualTo(1);

        node.close();
        restart();

        await().atMost(Duration.ofSeconds(30)).until(() -> db.slotCount(slot) == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/sources/" + id).status() == 404);
        assertThat(db.publicationCount(slot)).as("the publication went with the slot").isZero();
        assertThat(api.get("/v1/sources").body().path("data")).isEmpty();
    }

    // ---- helpers

    private void useDatabaseOn(TestPostgres.Server server) {
        db = server.createDatabase();
        db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
    }

    private void restart() {
        node = TestNodes.start(dataDir, SETTINGS);
        api = new ApiClient(node.port()).withKey(apiKey);
    }

    private String sourceWithDestination() {
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "shop", "connection_uri": "%s", "tables": ["orders"]}""".formatted(db.uri()));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        String id = source.text("id");
        ApiClient.Response destination = api.post("/v1/sources/" + id + "/destinations", "{\"url\": \"" + receiver.url() + "\"}");
        assertThat(destination.status()).as(destination.body().toString()).isEqualTo(201);
        return id;
    }

    private String walStatus(String slot) throws SQLException {
        try (Connection c = db.connect(); var q = c.prepareStatement("SELECT wal_status FROM pg_replication_slots WHERE slot_name = ?")) {
            q.setString(1, slot);
            ResultSet rs = q.executeQuery();
            return rs.next() ? rs.getString(1) : null;
        }
    }

}
