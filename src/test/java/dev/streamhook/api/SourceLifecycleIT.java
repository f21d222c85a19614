package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.StoreFiles;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A valid source: its password never comes back out of the API or the store file, both URI
 * schemes and schema-qualified tables work, and deleting it cleans up the user's database.
 */
class SourceLifecycleIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final TestPostgres.Server pg = TestPostgres.embedded();
    @TempDir
    Path dataDir;
    private TestDb db;
    private Main.Node node;
    private ApiClient api;

    @BeforeEach
    void start() {
        db = pg.createDatabase();
        db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
        node = TestNodes.start(dataDir);
        api = new ApiClient(node.port()).signUp("lifecycle@example.com");
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        db.close();
    }

    @ParameterizedTest(name = "{0}://")
    @ValueSource(strings = {"postgres", "postgresql"})
    void thePasswordInTheConnectionUriIsNeverShownBackAndNotStoredInClear(String scheme) throws Exception {
        // the embedded server trusts local connections, so any password is accepted
        String password = "Pw" + UUID.randomUUID().toString().replace("-", "");
        String uri = scheme + "://postgres:" + password + "@127.0.0.1:" + pg.port() + "/" + db.name();

        ApiClient.Response created = createSource(uri, "orders");

        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String id = created.text("id");
        assertThat(created.text("connection_uri")).isEqualTo(scheme + "://postgres:****@127.0.0.1:" + pg.port() + "/" + db.name());
        assertThat(created.body().toString()).doesNotContain(password);
        assertThat(api.get("/v1/sources/" + id).body().toString()).doesNotContain(password).contains(id);
        assertThat(api.get("/v1/sources").body().toString()).doesNotContain(password).contains(id);
        awaitStatus(id, "active");

        assertThat(StoreFiles.filesContaining(dataDir, "lifecycle@example.com")).as("control: the store files are read").isNotEmpty();
        assertThat(StoreFiles.filesContaining(dataDir, password)).as("store files holding the password").isEmpty();
        node.close();
        node = null;
        assertThat(StoreFiles.filesContaining(dataDir, password)).as("store files holding the password after shutdown").isEmpty();
    }

    @Test
    void aPasswordGivenAsAQueryParameterIsNotShownBackEither() {
        // libpq's other documented form: postgresql://user@host/db?password=secret
        String password = "Qp" + UUID.randomUUID().toString().replace("-", "");
        String uri = "postgres://postgres@127.0.0.1:" + pg.port() + "/" + db.name() + "?password=" + password;

        ApiClient.Response created = createSource(uri, "orders");

        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        assertThat(created.body().toString()).doesNotContain(password);
        assertThat(api.get("/v1/sources/" + created.text("id")).body().toString()).doesNotContain(password);
        assertThat(api.get("/v1/sources").body().toString()).doesNotContain(password);
    }

    @Test
    void schemaQualifiedTableNamesArePublishedAndTheirChangesArriveWithTheirSchema() throws Exception {
        db.execute("CREATE SCHEMA sales", "CREATE TABLE sales.orders (id int PRIMARY KEY, total int)");
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            ApiClient.Response created = createSource(db.uri(), "sales.orders", "orders");
            assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
            String id = created.text("id");
            assertThat(created.body().path("tables")).extracting(JsonNode::asText).containsExactly("sales.orders", "public.orders");
            assertThat(publishedTables(created.text("publication_name"))).containsExactlyInAnyOrder("sales.orders", "public.orders");
            assertThat(api.post("/v1/sources/" + id + "/destinations", "{\"url\": \"" + receiver.url() + "\"}").status()).isEqualTo(201);

            db.execute("INSERT INTO sales.orders VALUES (7, 700)", "INSERT INTO orders VALUES (7, 'paid')");

            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 2);
            List<JsonNode> events = new ArrayList<>();
            for (WebhookReceiver.Request r : receiver.requests()) {
                events.add(MAPPER.readTree(r.body()));
            }
            assertThat(events).extracting(e -> e.at("/source/schema").asText() + "." + e.at("/source/table").asText())
                    .containsExactlyInAnyOrder("sales.orders", "public.orders");
            assertThat(events).filteredOn(e -> e.at("/source/schema").asText().equals("sales"))
                    .extracting(e -> e.at("/after/total").asInt()).containsExactly(700);
        }
    }

    @Test
    void deletingASourceDropsItsSlotAndPublicationOnTheDatabase() throws Exception {
        ApiClient.Response created = createSource(db.uri(), "orders");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String id = created.text("id");
        String slot = created.text("slot_name");
        String publication = created.text("publication_name");
        awaitStatus(id, "active");
        assertThat(db.slotCount(slot)).isEqualTo(1);
        assertThat(db.publicationCount(publication)).isEqualTo(1);

        ApiClient.Response deleted = api.delete("/v1/sources/" + id);

        assertThat(deleted.status()).as(deleted.body().toString()).isEqualTo(200);
        assertThat(deleted.body().path("deleted").asBoolean()).isTrue();
        assertThat(db.slotCount(slot)).as("slot after delete").isZero();
        assertThat(db.publicationCount(publication)).as("publication after delete").isZero();
        assertThat(api.get("/v1/sources/" + id).status()).isEqualTo(404);
        assertThat(api.get("/v1/sources").body().path("data")).isEmpty();
    }

    // ---- helpers

    private ApiClient.Response createSource(String uri, String... tables) {
        List<String> quoted = new ArrayList<>();
        for (String t : tables) {
            quoted.add("\"" + t + "\"");
        }
        return api.post("/v1/sources", """
                {"name": "Production Postgres", "type": "postgresql", "connection_uri": "%s", "tables": [%s]}
                """.formatted(uri, String.join(", ", quoted)));
    }

    private void awaitStatus(String sourceId, String status) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api.get("/v1/sources/" + sourceId).body().path("status").asText(), status::equals);
    }


    private List<String> publishedTables(String publication) throws SQLException {
        try (Connection c = db.connect();
             PreparedStatement q = c.prepareStatement("SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
            q.setString(1, publication);
            var rs = q.executeQuery();
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}
