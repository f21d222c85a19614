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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sign-up (open and closed), API keys, rate limits, input limits, and the wall between accounts. */
class AccountsAndKeysIT {

    @TempDir
    Path dataDir;
    @TempDir
    Path otherDataDir;
    private Main.Node node;
    private Main.Node otherNode;

    @BeforeEach
    void start() {
        node = TestNodes.start(dataDir);
    }

    @AfterEach
    void stop() {
        node.close();
        if (otherNode != null) {
            otherNode.close();
        }
    }

    /** A second node, on its own store, with these settings over the test defaults. */
    private ApiClient startOther(Map<String, String> settings) {
        otherNode = TestNodes.start(otherDataDir, settings);
        return new ApiClient(otherNode.port());
    }

    @Test
    void closedSignupRefusesAnonymousAccounts() {
        ApiClient closed = startOther(Map.of("STREAMHOOK_SIGNUP", "closed"));

        ApiClient.Response r = closed.post("/v1/accounts", "{\"email\": \"stranger@example.com\"}");

        assertThat(r.status()).as(r.body().toString()).isEqualTo(403);
        assertThat(r.body().at("/error/type").asText()).isEqualTo("forbidden");
        assertThat(r.body().at("/error/message").asText()).contains("sign-up is closed", "admin");
        assertThat(r.body().toString()).doesNotContain("sk_live_");
    }

    @Test
    void adminKeyCreatesAccounts() {
        ApiClient closed = startOther(Map.of("STREAMHOOK_SIGNUP", "closed"));
        String adminKey = otherNode.adminKey().orElseThrow();
        assertThat(adminKey).matches("sk_live_[A-Za-z0-9]{32}");

        ApiClient.Response created = new ApiClient(otherNode.port()).withKey(adminKey)
                .post("/v1/accounts", "{\"email\": \"colleague@example.com\"}");

        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        assertThat(created.text("api_key")).matches("sk_live_[A-Za-z0-9]{32}").isNotEqualTo(adminKey);
        ApiClient colleague = closed.withKey(created.text("api_key"));
        assertThat(colleague.get("/v1/sources").status()).isEqualTo(200);
        // a user's key is not an admin's: it cannot make more accounts while sign-up is closed
        ApiClient.Response byUser = colleague.post("/v1/accounts", "{\"email\": \"third@example.com\"}");
        assertThat(byUser.status()).as(byUser.body().toString()).isEqualTo(403);
    }

    @Test
    void keysAreCreatedListedAndRevoked() {
        ApiClient.Response signUp = anonymous().post("/v1/accounts", "{\"email\": \"keys@example.com\"}");
        ApiClient first = anonymous().withKey(signUp.text("api_key"));

        ApiClient.Response made = first.post("/v1/api_keys", "{\"name\": \"ci deploys\"}");

        assertThat(made.status()).as(made.body().toString()).isEqualTo(201);
        assertThat(made.text("id")).startsWith("key_");
        assertThat(made.text("name")).isEqualTo("ci deploys");
        String secondKey = made.text("api_key");
        assertThat(secondKey).matches("sk_live_[A-Za-z0-9]{32}");
        assertThat(made.text("prefix")).isEqualTo(secondKey.substring(0, 12));
        ApiClient second = anonymous().withKey(secondKey);
        assertThat(second.get("/v1/sources").status()).isEqualTo(200);

        JsonNode list = first.get("/v1/api_keys").body().path("data");
        assertThat(list).hasSize(2);
        assertThat(list.toString()).doesNotContain(secondKey, signUp.text("api_key"));
        assertThat(list.get(0).path("name").asText()).isEqualTo("default");
        assertThat(list.get(1).path("id").asText()).isEqualTo(made.text("id"));
        assertThat(list.get(0).path("created_at").asText()).isNotBlank();
        assertThat(list.get(1).path("last_used_at").asText(null)).as("the second key was used once").isNotNull();
        for (JsonNode k : list) {
            assertThat(k.properties()).extracting(Map.Entry::getKey).containsExactly("id", "name", "prefix", "created_at", "last_used_at");
        }

        ApiClient.Response revoked = second.delete("/v1/api_keys/" + list.get(0).path("id").asText());
        assertThat(revoked.status()).as(revoked.body().toString()).isEqualTo(200);
        assertThat(revoked.body().path("deleted").asBoolean()).isTrue();
        assertThat(second.get("/v1/api_keys").body().path("data")).hasSize(1);
    }

    @Test
    void revokedKeyIsRefused() {
        ApiClient owner = anonymous().signUp("revoke@example.com");
        ApiClient.Response made = owner.post("/v1/api_keys", "{\"name\": \"leaked\"}");
        ApiClient leaked = anonymous().withKey(made.text("api_key"));
        assertThat(leaked.get("/v1/sources").status()).isEqualTo(200);

        assertThat(owner.delete("/v1/api_keys/" + made.text("id")).status()).isEqualTo(200);

        ApiClient.Response r = leaked.get("/v1/sources");
        assertThat(r.status()).as("refused at once, on the very next request").isEqualTo(401);
        assertThat(r.body().at("/error/type").asText()).isEqualTo("unauthorized");
        assertThat(owner.get("/v1/sources").status()).as("the account's other key still works").isEqualTo(200);
    }

    @Test
    void theLastKeyOfAnAccountCannotBeRevoked() {
        ApiClient owner = anonymous().signUp("last@example.com");
        String onlyKey = owner.get("/v1/api_keys").body().at("/data/0/id").asText();

        ApiClient.Response r = owner.delete("/v1/api_keys/" + onlyKey);

        assertThat(r.status()).as(r.body().toString()).isEqualTo(409);
        assertThat(r.body().at("/error/message").asText()).contains("last API key", "POST /v1/api_keys");
        assertThat(owner.get("/v1/sources").status()).isEqualTo(200);
    }

    @Test
    void everyKeyAndAccountRouteIsRefusedForAnotherAccountsIds() {
        ApiClient alice = anonymous().signUp("alice-keys@example.com");
        ApiClient mallory = anonymous().signUp("mallory-keys@example.com");
        ApiClient.Response aliceSecond = alice.post("/v1/api_keys", "{\"name\": \"second\"}");
        String aliceKeyId = aliceSecond.text("id");
        String aliceFirstKeyId = alice.get("/v1/api_keys").body().at("/data/0/id").asText();

        assertNotFound(mallory.delete("/v1/api_keys/" + aliceKeyId));
        assertNotFound(mallory.delete("/v1/api_keys/" + aliceFirstKeyId));
        JsonNode mallorysList = mallory.get("/v1/api_keys").body().path("data");
        assertThat(mallorysList).hasSize(1);
        assertThat(mallorysList.toString()).doesNotContain(aliceKeyId, aliceFirstKeyId);
        // a non-admin key creates no account for anyone (and sign-up is refused outright when closed)
        ApiClient closed = startOther(Map.of("STREAMHOOK_SIGNUP", "closed"));
        ApiClient user = closed.withKey(new ApiClient(otherNode.port()).withKey(otherNode.adminKey().orElseThrow())
                .post("/v1/accounts", "{\"email\": \"user@example.com\"}").text("api_key"));
        assertThat(user.post("/v1/accounts", "{\"email\": \"sneaky@example.com\"}").status()).isEqualTo(403);

        assertThat(alice.get("/v1/api_keys").body().path("data")).as("alice's keys are untouched").hasSize(2);
        assertThat(anonymous().withKey(aliceSecond.text("api_key")).get("/v1/sources").status()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "none"})
    void nonJsonBodiesAnswer415(String contentType) {
        ApiClient api = anonymous().signUp("json@example.com");
        String type = contentType.equals("none") ? null : contentType;

        for (String path : new String[] {"/v1/accounts", "/v1/api_keys", "/v1/sources"}) {
            ApiClient.RawResponse r = api.raw("POST", path, type, "{\"email\": \"form@example.com\", \"name\": \"x\"}");
            assertThat(r.status()).as(path + ": " + r.text()).isEqualTo(415);
            assertThat(r.contentType()).startsWith("application/json");
            assertThat(r.text()).contains("\"type\":\"unsupported_media_type\"", "application/json");
        }
        ApiClient.RawResponse charset = api.raw("POST", "/v1/api_keys", "application/json; charset=utf-8", "{\"name\": \"ok\"}");
        assertThat(charset.status()).as("a charset is fine: " + charset.text()).isEqualTo(201);
        ApiClient.RawResponse noBody = api.raw("POST", "/v1/events/evt_nothing/retry", null, null);
        assertThat(noBody.status()).as("a POST without a body needs no type: " + noBody.text()).isEqualTo(404);
        assertThat(anonymous().post("/v1/accounts", "{\"email\": \"form@example.com\"}").status())
                .as("the refused form created nothing").isEqualTo(201);
    }

    @Test
    void tooManyRequestsAnswer429WithRetryAfter() {
        ApiClient limited = startOther(Map.of("STREAMHOOK_RATE_LIMIT_PER_KEY", "2", "STREAMHOOK_RATE_LIMIT_SIGNUP_PER_MINUTE", "3"));
        ApiClient api = limited.signUp("busy@example.com"); // sign-up 1 of 3 this minute

        int ok = 0;
        ApiClient.RawResponse refused = null;
        for (int i = 0; i < 50 && refused == null; i++) {
            ApiClient.RawResponse r = api.raw("GET", "/v1/sources", null, null);
            if (r.status() == 429) {
                refused = r;
            } else {
                ok++;
            }
        }
        assertThat(refused).as("a key is held to its burst").isNotNull();
        assertThat(ok).as("the burst: five seconds' worth at 2/s").isBetween(10, 12);
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 2L);
        assertThat(refused.contentType()).startsWith("application/json");
        assertThat(refused.text()).contains("\"type\":\"rate_limited\"");

        // without a key: sign-ups and wrong keys share a few a minute per address
        ApiClient anonymous = new ApiClient(otherNode.port());
        assertThat(anonymous.post("/v1/accounts", "{\"email\": \"two@example.com\"}").status()).isEqualTo(201);
        assertThat(anonymous.withKey("sk_live_guess").get("/v1/sources").status()).isEqualTo(401);
        ApiClient.RawResponse probe = new ApiClient(otherNode.port()).raw("POST", "/v1/accounts", "application/json", "{\"email\": \"busy@example.com\"}");
        assertThat(probe.status()).as("the 4th anonymous call this minute: " + probe.text()).isEqualTo(429);
        assertThat(Long.parseLong(probe.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(probe.text()).doesNotContain("already exists");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"email", "source name", "connection_uri", "tables: too many", "tables: identifier", "key name",
            "destination url", "secret", "headers: too many", "headers: value"})
    void oversizedFieldsAreRefusedByName(String field) {
        ApiClient api = anonymous().signUp("limits@example.com");
        String uri = "postgres://u:p@127.0.0.1:5432/db";
        String manyTables = "[" + String.join(",", java.util.Collections.nCopies(101, "\"t\"")) + "]";
        StringBuilder manyHeaders = new StringBuilder("{");
        for (int i = 0; i < 33; i++) {
            manyHeaders.append(i == 0 ? "" : ",").append("\"X-H").append(i).append("\":\"v\"");
        }
        manyHeaders.append("}");
        String src = "/v1/sources/src_nothing/destinations";
        Object[] c = switch (field) {
            case "email" -> new Object[] {"/v1/accounts", "{\"email\": \"" + "a".repeat(250) + "@example.com\"}", "email"};
            case "source name" -> new Object[] {"/v1/sources", source("x".repeat(201), uri, "[\"orders\"]"), "name"};
            case "connection_uri" -> new Object[] {"/v1/sources", source("s", uri + "?x=" + "a".repeat(2048), "[\"orders\"]"), "connection_uri"};
            case "tables: too many" -> new Object[] {"/v1/sources", source("s", uri, manyTables), "tables"};
            case "tables: identifier" -> new Object[] {"/v1/sources", source("s", uri, "[\"public." + "t".repeat(64) + "\"]"), "tables"};
            case "key name" -> new Object[] {"/v1/api_keys", "{\"name\": \"" + "k".repeat(201) + "\"}", "name"};
            case "destination url" -> new Object[] {src, "{\"url\": \"https://example.com/" + "p".repeat(2048) + "\"}", "url"};
            case "secret" -> new Object[] {src, "{\"url\": \"https://example.com/\", \"secret\": \"" + "s".repeat(513) + "\"}", "secret"};
            case "headers: too many" -> new Object[] {src, "{\"url\": \"http://127.0.0.1:9/\", \"headers\": " + manyHeaders + "}", "headers"};
            case "headers: value" -> new Object[] {src, "{\"url\": \"http://127.0.0.1:9/\", \"headers\": {\"X-A\": \"" + "v".repeat(4097) + "\"}}", "headers"};
            default -> throw new IllegalArgumentException(field);
        };
        String path = (String) c[0];
        if (!path.startsWith(src)) {
            assertRefusedNamingTheField(api.post(path, (String) c[1]), (String) c[2]);
            return;
        }
        // a destination's fields are read once its source is found: the account needs a real source
        try (TestDb db = TestPostgres.embedded().createDatabase()) {
            db.execute("CREATE TABLE orders (id int PRIMARY KEY)");
            ApiClient.Response s = api.post("/v1/sources", source("limits", db.uri(), "[\"orders\"]"));
            assertThat(s.status()).as(s.body().toString()).isEqualTo(201);
            try {
                assertRefusedNamingTheField(api.post("/v1/sources/" + s.text("id") + "/destinations", (String) c[1]), (String) c[2]);
            } finally {
                api.delete("/v1/sources/" + s.text("id"));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertRefusedNamingTheField(ApiClient.Response r, String param) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(400);
        assertThat(r.body().at("/error/param").asText()).isEqualTo(param);
        assertThat(r.body().at("/error/message").asText()).containsAnyOf("at most", "longer than");
    }

    private static String source(String name, String uri, String tables) {
        return "{\"name\": \"" + name + "\", \"connection_uri\": \"" + uri + "\", \"tables\": " + tables + "}";
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a\\u0000b@example.com", "a\\u0007b@example.com", "a@exa\\u001fmple.com"})
    void controlCharactersInAnEmailAreRefused(String email) {
        ApiClient.Response r = anonymous().post("/v1/accounts", "{\"email\": \"" + email + "\"}");

        assertThat(r.status()).as(r.body().toString()).isEqualTo(400);
        assertThat(r.body().at("/error/param").asText()).isEqualTo("email");
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
            assertNotFound(mallory.post("/v1/events/" + eventId + "/skip", ""));
            assertNotFound(mallory.post("/v1/sources/" + sourceId + "/destinations/" + destinationId + "/replay", "{\"status\": \"failed\"}"));
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
