package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.StoreFiles;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sign-up, API keys, and the wall between accounts. */
class AccountsAndKeysIT {

    @TempDir
    Path dataDir;
    private Main.Node node;

    @BeforeEach
    void start() {
        node = TestNodes.start(dataDir);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void signingUpReturnsTheAccountAndALiveKeyThatOpensTheApi() {
        ApiClient.Response r = anonymous().post("/v1/accounts", "{\"email\": \"dev@example.com\"}");

        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
        assertThat(r.text("id")).matches("acc_[a-z0-9]{16}");
        assertThat(r.text("email")).isEqualTo("dev@example.com");
        assertThat(r.text("api_key")).matches("sk_live_[A-Za-z0-9]{32}");
        ApiClient.Response sources = anonymous().withKey(r.text("api_key")).get("/v1/sources");
        assertThat(sources.status()).as(sources.body().toString()).isEqualTo(200);
        assertThat(sources.body().path("data").isArray()).isTrue();
        assertThat(sources.body().path("data")).isEmpty();
    }

    @Test
    void twoSignUpsGetDifferentKeys() {
        String first = anonymous().post("/v1/accounts", "{\"email\": \"one@example.com\"}").text("api_key");
        String second = anonymous().post("/v1/accounts", "{\"email\": \"two@example.com\"}").text("api_key");

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void aCallWithoutAKeyGets401SayingHowToGetOne() {
        ApiClient.Response r = anonymous().get("/v1/sources");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().at("/error/type").asText()).isEqualTo("unauthorized");
        assertThat(r.body().at("/error/message").asText()).contains("X-API-Key", "POST /v1/accounts");
    }

    @ParameterizedTest(name = "key \"{0}\"")
    @ValueSource(strings = {"sk_live_0000000000000000000000000000000", "not-a-key", " "})
    void aWrongKeyGets401WithAJsonError(String key) {
        anonymous().signUp("real@example.com");

        ApiClient.Response r = anonymous().withKey(key).get("/v1/sources");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body().at("/error/type").asText()).isEqualTo("unauthorized");
        assertThat(r.body().at("/error/message").asText()).contains("X-API-Key");
    }

    @Test
    void aSecondAccountWithTheSameEmailIsRefusedWith409EvenInOtherCase() {
        assertThat(anonymous().post("/v1/accounts", "{\"email\": \"dev@example.com\"}").status()).isEqualTo(201);

        ApiClient.Response again = anonymous().post("/v1/accounts", "{\"email\": \"Dev@Example.COM\"}");

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().at("/error/param").asText()).isEqualTo("email");
        assertThat(again.body().at("/error/message").asText()).contains("already exists");
        assertThat(again.body().toString()).doesNotContain("sk_live_");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"email\": \"not-an-email\"}", "{\"email\": \"a@b\"}", "{\"email\": \"two@@example.com\"}",
            "{\"email\": \"\"}", "{}", "{\"email\": 42}"})
    void anInvalidEmailIsRefusedWith400NamingTheField(String body) {
        ApiClient.Response r = anonymous().post("/v1/accounts", body);

        assertThat(r.status()).as(r.body().toString()).isEqualTo(400);
        assertThat(r.body().at("/error/param").asText()).isEqualTo("email");
        assertThat(r.body().at("/error/message").asText()).contains("email");
    }

    @Test
    void theApiKeyIsNotStoredInClear() {
        ApiClient.Response r = anonymous().post("/v1/accounts", "{\"email\": \"stored@example.com\"}");
        String key = r.text("api_key");

        assertThat(StoreFiles.filesContaining(dataDir, "stored@example.com")).as("control: the store files are read").isNotEmpty();
        assertThat(StoreFiles.filesContaining(dataDir, key)).as("store files holding the API key").isEmpty();
        // without the random part the key is guessable; the prefix shown for recognition is at most a few characters of it
        assertThat(StoreFiles.filesContaining(dataDir, key.substring("sk_live_".length()))).isEmpty();
    }

    @Test
    void oneAccountCannotSeeOrTouchAnotherAccountsSourceDestinationsOrEvents() throws Exception {
        try (TestDb db = TestPostgres.embedded().createDatabase(); WebhookReceiver receiver = new WebhookReceiver()) {
            db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
            ApiClient alice = anonymous().signUp("alice@example.com");
            ApiClient mallory = anonymous().signUp("mallory@example.com");
            ApiClient.Response source = alice.post("/v1/sources", """
                    {"name": "alice db", "connection_uri": "%s", "tables": ["orders"]}""".formatted(db.uri()));
            assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
            String sourceId = source.text("id");
            ApiClient.Response destination = alice.post("/v1/sources/" + sourceId + "/destinations",
                    "{\"url\": \"" + receiver.url() + "\", \"secret\": \"whsec_alice_secret_1234\"}");
            String destinationId = destination.text("id");
            db.execute("INSERT INTO orders VALUES (1, 'paid')");
            await().atMost(Duration.ofSeconds(30)).until(() -> alice.get("/v1/events?source_id=" + sourceId).body().path("data").size() == 1);
            String eventId = alice.get("/v1/events?source_id=" + sourceId).body().at("/data/0/id").asText();

            assertNotFound(mallory.get("/v1/sources/" + sourceId));
            assertNotFound(mallory.delete("/v1/sources/" + sourceId));
            assertNotFound(mallory.get("/v1/sources/" + sourceId + "/destinations"));
            assertNotFound(mallory.post("/v1/sources/" + sourceId + "/destinations", "{\"url\": \"" + receiver.url() + "\"}"));
            assertNotFound(mallory.get("/v1/sources/" + sourceId + "/destinations/" + destinationId));
            assertNotFound(mallory.patch("/v1/sources/" + sourceId + "/destinations/" + destinationId, "{\"url\": \"https://evil.example.com/\"}"));
            assertNotFound(mallory.delete("/v1/sources/" + sourceId + "/destinations/" + destinationId));
            assertNotFound(mallory.get("/v1/events/" + eventId));
            assertNotFound(mallory.post("/v1/events/" + eventId + "/retry", ""));
            assertThat(mallory.get("/v1/sources").body().path("data")).isEmpty();
            assertThat(mallory.get("/v1/events").body().path("data")).isEmpty();
            assertThat(mallory.get("/v1/events?source_id=" + sourceId).body().path("data")).isEmpty();

            // and nothing of alice's was changed by those calls
            assertThat(alice.get("/v1/sources/" + sourceId).status()).isEqualTo(200);
            assertThat(db.slotCount(source.text("slot_name"))).isEqualTo(1);
            JsonNode destinations = alice.get("/v1/sources/" + sourceId + "/destinations").body().path("data");
            assertThat(destinations).hasSize(1);
            assertThat(destinations.get(0).path("url").asText()).isEqualTo(receiver.url());
            assertThat(alice.get("/v1/events/" + eventId).status()).isEqualTo(200);
            assertThat(alice.delete("/v1/sources/" + sourceId).status()).isEqualTo(200);
        }
    }

    @Test
    void healthzAnswers200WithoutAKey() {
        ApiClient.Response r = anonymous().get("/healthz");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text("status")).isEqualTo("ok");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/v1/nothing-here", "/v1/sources/src_x/nothing", "/nothing-here"})
    void anUnknownRouteAnswersAJson404(String path) {
        ApiClient api = anonymous().signUp("routes@example.com");

        ApiClient.Response r = api.get(path);

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body().at("/error/type").asText()).isEqualTo("not_found");
        assertThat(r.body().at("/error/message").asText()).isNotBlank();
    }

    private ApiClient anonymous() {
        return new ApiClient(node.port());
    }

    private static void assertNotFound(ApiClient.Response r) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(404);
        assertThat(r.body().at("/error/type").asText()).isEqualTo("not_found");
        assertThat(r.body().toString()).doesNotContain("alice", "orders", "whsec_");
    }
}
