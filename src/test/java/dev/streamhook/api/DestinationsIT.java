package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.delivery.Signer;
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

/** {@code /v1/sources/:id/destinations}: managing where events go, and what later deliveries use. */
class DestinationsIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String FIRST_SECRET = "whsec_first_signing_secret_AAAA";
    private static final String SECOND_SECRET = "whsec_second_signing_secret_BBBB";
    @TempDir
    Path dataDir;
    private TestDb db;
    private Main.Node node;
    private ApiClient api;
    private String apiKey;
    private String destinations;

    @BeforeEach
    void start() {
        db = TestPostgres.embedded().createDatabase();
        db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
        node = TestNodes.start(dataDir);
        apiKey = new ApiClient(node.port()).post("/v1/accounts", "{\"email\":\"hooks@example.com\"}").text("api_key");
        api = new ApiClient(node.port()).withKey(apiKey);
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "shop", "connection_uri": "%s", "tables": ["orders"]}""".formatted(db.uri()));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        destinations = "/v1/sources/" + source.text("id") + "/destinations";
    }

    @AfterEach
    void stop() {
        node.close();
        db.close();
    }

    @Test
    void aPlainHttpDestinationCarriesAWarningAndANodeCanRefuseIt() {
        ApiClient.Response plain = api.post(destinations, body(Map.of("url", "http://127.0.0.1:9/hooks")));
        assertThat(plain.status()).as(plain.body().toString()).isEqualTo(201);
        assertThat(plain.body().path("warnings").get(0).asText()).contains("unencrypted", "https://");

        node.close();
        node = TestNodes.start(dataDir, Map.of("STREAMHOOK_ALLOW_HTTP_DESTINATIONS", "false"));
        api = new ApiClient(node.port()).withKey(apiKey);
        ApiClient.Response refused = api.post(destinations, body(Map.of("url", "http://127.0.0.1:9/hooks")));
        assertThat(refused.status()).as(refused.body().toString()).isEqualTo(400);
        assertThat(refused.body().at("/error/param").asText()).isEqualTo("url");
        assertThat(refused.body().at("/error/message").asText()).contains("https://");
        ApiClient.Response tls = api.post(destinations, body(Map.of("url", "https://127.0.0.1:9/hooks")));
        assertThat(tls.status()).as(tls.body().toString()).isEqualTo(201);
        assertThat(tls.body().path("warnings")).isEmpty();
    }

    @Test
    void aDestinationIsCreatedListedReadPatchedAndDeletedWithoutItsSecretEverEchoed() {
        ApiClient.Response created = api.post(destinations, body(Map.of("url", "http://127.0.0.1:9/webhooks/streamhook",
                "secret", FIRST_SECRET, "headers", Map.of("Authorization", "Bearer your_token"))));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String id = created.text("id");
        assertThat(id).matches("dst_[a-z0-9]+");
        assertThat(created.text("url")).isEqualTo("http://127.0.0.1:9/webhooks/streamhook");
        assertThat(created.body().at("/headers/Authorization").asText()).as("header values are masked").isEqualTo("Bearer ****");
        assertSecretHidden(created.body(), FIRST_SECRET);

        JsonNode list = api.get(destinations).body().path("data");
        assertThat(list).hasSize(1);
        assertThat(list.get(0)).isEqualTo(created.body());
        assertThat(api.get(destinations + "/" + id).body()).isEqualTo(created.body());

        ApiClient.Response patched = api.patch(destinations + "/" + id, body(Map.of("url", "http://127.0.0.1:9/v2/hooks",
                "secret", SECOND_SECRET, "headers", Map.of("X-Team", "payments"))));
        assertThat(patched.status()).as(patched.body().toString()).isEqualTo(200);
        assertThat(patched.text("url")).isEqualTo("http://127.0.0.1:9/v2/hooks");
        assertThat(patched.body().path("headers")).isEqualTo(MAPPER.valueToTree(Map.of("X-Team", "****")));
        assertSecretHidden(patched.body(), SECOND_SECRET);
        assertThat(patched.text("secret")).as("the hint tells the new secret from the old").isNotEqualTo(created.text("secret"));
        assertThat(api.get(destinations + "/" + id).body()).isEqualTo(patched.body());

        ApiClient.Response deleted = api.delete(destinations + "/" + id);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(api.get(destinations + "/" + id).status()).isEqualTo(404);
        assertThat(api.get(destinations).body().path("data")).isEmpty();
    }

    @Test
    void aPatchedUrlSecretAndHeadersAreWhatLaterDeliveriesUse() throws Exception {
        try (WebhookReceiver before = new WebhookReceiver(); WebhookReceiver after = new WebhookReceiver()) {
            String id = api.post(destinations, body(Map.of("url", before.url(), "secret", FIRST_SECRET,
                    "headers", Map.of("Authorization", "Bearer old_token")))).text("id");
            db.execute("INSERT INTO orders VALUES (1, 'pending')");
            await().atMost(Duration.ofSeconds(30)).until(() -> before.requests().size() == 1);
            WebhookReceiver.Request first = before.requests().get(0);
            assertThat(first.header("X-StreamHook-Signature")).isEqualTo(Signer.sign(FIRST_SECRET, first.body()));
            assertThat(first.header("Authorization")).isEqualTo("Bearer old_token");

            ApiClient.Response patched = api.patch(destinations + "/" + id, body(Map.of("url", after.url(), "secret", SECOND_SECRET,
                    "headers", Map.of("X-Team", "payments"))));
            assertThat(patched.status()).as(patched.body().toString()).isEqualTo(200);
            db.execute("INSERT INTO orders VALUES (2, 'paid')");

            await().atMost(Duration.ofSeconds(30)).until(() -> after.requests().size() == 1);
            WebhookReceiver.Request second = after.requests().get(0);
            assertThat(MAPPER.readTree(second.body()).at("/after/id").asInt()).isEqualTo(2);
            assertThat(second.header("X-StreamHook-Signature")).isEqualTo(Signer.sign(SECOND_SECRET, second.body()))
                    .isNotEqualTo(Signer.sign(FIRST_SECRET, second.body()));
            assertThat(second.header("X-Team")).isEqualTo("payments");
            assertThat(second.header("Authorization")).as("the replaced header is gone").isNull();
            assertThat(before.requests()).as("the old URL gets nothing more").hasSize(1);
        }
    }

    @Test
    void everySettingCanBePatchedAloneAndNullClearsItWhereThatMeansSomething() {
        String id = api.post(destinations, body(Map.of("url", "http://127.0.0.1:9/hooks", "secret", FIRST_SECRET,
                "headers", Map.of("X-Team", "payments"), "max_in_flight", 4))).text("id");
        String path = destinations + "/" + id;

        ApiClient.Response onlyLimit = api.patch(path, "{\"max_in_flight\": 16}");
        assertThat(onlyLimit.body().path("max_in_flight").asInt()).isEqualTo(16);
        assertThat(onlyLimit.text("url")).as("left out: unchanged").isEqualTo("http://127.0.0.1:9/hooks");
        assertThat(onlyLimit.text("secret")).isNotNull();
        assertThat(onlyLimit.body().path("headers").size()).isEqualTo(1);

        ApiClient.Response cleared = api.patch(path, "{\"secret\": null, \"headers\": null, \"max_in_flight\": null}");
        assertThat(cleared.status()).as(cleared.body().toString()).isEqualTo(200);
        assertThat(cleared.body().path("secret").isNull()).isTrue();
        assertThat(cleared.body().path("headers")).isEmpty();
        assertThat(cleared.body().path("max_in_flight").isNull()).as("null: the node's default").isTrue();

        assertThat(cleared.body().path("operations").toString()).as("every operation unless told otherwise")
                .isEqualTo("[\"INSERT\",\"UPDATE\",\"DELETE\",\"TRUNCATE\"]");

        ApiClient.Response onlyOperations = api.patch(path, "{\"operations\": [\"truncate\", \"INSERT\", \"INSERT\"]}");
        assertThat(onlyOperations.body().path("operations").toString()).isEqualTo("[\"INSERT\",\"TRUNCATE\"]");
        assertThat(onlyOperations.text("url")).isEqualTo("http://127.0.0.1:9/hooks");
        assertThat(api.patch(path, "{\"max_in_flight\": 2}").body().path("operations").toString()).as("left out: unchanged")
                .isEqualTo("[\"INSERT\",\"TRUNCATE\"]");
        assertThat(api.patch(path, "{\"operations\": null}").body().path("operations")).hasSize(4);

        assertInvalid(api.patch(path, "{\"operations\": []}"), "operations");
        assertInvalid(api.patch(path, "{\"operations\": [\"MERGE\"]}"), "operations");
        assertInvalid(api.patch(path, "{\"url\": null}"), "url");
        assertInvalid(api.patch(path, "{\"max_in_flight\": 0}"), "max_in_flight");
        assertInvalid(api.patch(path, "{\"secret\": \"short\"}"), "secret");
        assertInvalid(api.patch(path, "{\"source_id\": \"src_other\"}"), "source_id");
    }

    @Test
    void headerValuesAreMaskedAndAMaskedValueSentBackKeepsTheStoredOne() {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String token = "Bearer tok_0123456789abcdefWXYZ";
            ApiClient.Response created = api.post(destinations, body(Map.of("url", receiver.url(),
                    "headers", Map.of("Authorization", token, "X-Team", "payments"))));
            assertThat(created.body().at("/headers/Authorization").asText()).isEqualTo("Bearer ****WXYZ");
            assertThat(created.body().toString()).doesNotContain("tok_0123456789abcdef").doesNotContain("payments");

            // read, add a header, send the set back as shown: the credential survives
            ApiClient.Response patched = api.patch(destinations + "/" + created.text("id"), body(Map.of("headers",
                    Map.of("Authorization", "Bearer ****WXYZ", "X-Team", "****", "X-Region", "eu"))));
            assertThat(patched.status()).as(patched.body().toString()).isEqualTo(200);
            db.execute("INSERT INTO orders VALUES (1, 'pending')");
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 1);
            WebhookReceiver.Request sent = receiver.requests().get(0);
            assertThat(sent.header("Authorization")).isEqualTo(token);
            assertThat(sent.header("X-Team")).isEqualTo("payments");
            assertThat(sent.header("X-Region")).isEqualTo("eu");
        }
    }

    @Test
    void aCopyOfTheStoreWithoutTheKeyRevealsNoSecretHeaderValueOrPassword() {
        String password = "PwStore0123456789xyz";
        String header = "Bearer hdr_secret_value_0123456789";
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "shop", "connection_uri": "%s", "tables": ["orders"]}""".formatted(db.uri("postgres", password)));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        assertThat(api.post("/v1/sources/" + source.text("id") + "/destinations", body(Map.of("url", "http://127.0.0.1:9/copied",
                "secret", FIRST_SECRET, "headers", Map.of("Authorization", header)))).status()).isEqualTo(201);

        assertThat(StoreFiles.filesContaining(dataDir, "http://127.0.0.1:9/copied")).as("control: the store is read").isNotEmpty();
        assertThat(StoreFiles.filesContaining(dataDir, FIRST_SECRET)).as("holding the signing secret").isEmpty();
        assertThat(StoreFiles.filesContaining(dataDir, "hdr_secret_value_0123456789")).as("holding the header value").isEmpty();
        assertThat(StoreFiles.filesContaining(dataDir, password)).as("holding the connection password").isEmpty();
    }

    @Test
    void aDeletedDestinationReceivesNoLaterEventWhileItsSiblingDoes() {
        try (WebhookReceiver removed = new WebhookReceiver(); WebhookReceiver kept = new WebhookReceiver()) {
            String removedId = api.post(destinations, body(Map.of("url", removed.url()))).text("id");
            api.post(destinations, body(Map.of("url", kept.url())));
            db.execute("INSERT INTO orders VALUES (1, 'pending')");
            await().atMost(Duration.ofSeconds(30)).until(() -> removed.requests().size() == 1 && kept.requests().size() == 1);

            assertThat(api.delete(destinations + "/" + removedId).status()).isEqualTo(200);
            db.execute("INSERT INTO orders VALUES (2, 'paid')");

            await().atMost(Duration.ofSeconds(30)).until(() -> kept.requests().size() == 2);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> removed.requests().size() == 1);
        }
    }

    @Test
    void aDestinationWithoutASecretIsSentUnsignedAndShowsNoSecret() {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            ApiClient.Response created = api.post(destinations, body(Map.of("url", receiver.url())));
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.body().path("secret").isNull()).isTrue();
            db.execute("INSERT INTO orders VALUES (1, 'pending')");
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() == 1);
            assertThat(receiver.requests().get(0).header("X-StreamHook-Signature")).isNull();
        }
    }

    @Test
    void theSigningSecretIsNotStoredInClear() {
        assertThat(api.post(destinations, body(Map.of("url", "http://127.0.0.1:9/hooks", "secret", FIRST_SECRET))).status()).isEqualTo(201);

        assertThat(StoreFiles.filesContaining(dataDir, "http://127.0.0.1:9/hooks")).as("control: the store files are read").isNotEmpty();
        assertThat(StoreFiles.filesContaining(dataDir, FIRST_SECRET)).as("store files holding the secret").isEmpty();
    }

    @Test
    void aRotatedOutSecretStaysEncryptedWhileItStillSigns() {
        ApiClient.Response created = api.post(destinations, body(Map.of("url", "http://127.0.0.1:9/rotated", "secret", FIRST_SECRET)));
        ApiClient.Response patched = api.patch(destinations + "/" + created.text("id"), body(Map.of("secret", SECOND_SECRET)));
        assertThat(patched.status()).as(patched.body().toString()).isEqualTo(200);
        assertThat(patched.text("previous_secret")).isEqualTo("whsec_****AAAA");

        assertThat(StoreFiles.filesContaining(dataDir, "http://127.0.0.1:9/rotated")).as("control: the store files are read").isNotEmpty();
        assertThat(StoreFiles.filesContaining(dataDir, FIRST_SECRET)).as("store files holding the previous secret").isEmpty();
        assertThat(StoreFiles.filesContaining(dataDir, SECOND_SECRET)).as("store files holding the new secret").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ftp://yourapp.com/hooks", "http:///hooks", "yourapp.com/hooks", "not a url",
            "http://169.254.169.254/latest/meta-data/", "https://169.254.169.254/", "http://[fe80::1]/hooks",
            "http://100.100.100.200/latest/meta-data/", "https://user:pass@yourapp.com/hooks"})
    void anUnusableOrDangerousUrlIsRefusedWith400(String url) {
        ApiClient.Response r = api.post(destinations, body(Map.of("url", url)));

        assertInvalid(r, "url");
        assertThat(api.get(destinations).body().path("data")).isEmpty();
    }

    @Test
    void aPatchToTheCloudMetadataAddressIsRefusedAndLeavesTheDestinationAsItWas() {
        String id = api.post(destinations, body(Map.of("url", "http://127.0.0.1:9/hooks"))).text("id");

        assertInvalid(api.patch(destinations + "/" + id, body(Map.of("url", "http://169.254.169.254/latest/meta-data/"))), "url");

        assertThat(api.get(destinations + "/" + id).text("url")).isEqualTo("http://127.0.0.1:9/hooks");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Content-Type", "content-type", "X-StreamHook-Signature", "x-streamhook-event-id", "X-StreamHook-Timestamp",
            "Host", "User-Agent", "Content-Length", "webhook-signature", "Webhook-Id", "x-streamhook-signature-previous"})
    void aHeaderStreamHookSetsItselfCannotBeConfigured(String name) {
        ApiClient.Response r = api.post(destinations, body(Map.of("url", "http://127.0.0.1:9/hooks", "headers", Map.of(name, "x"))));

        assertInvalid(r, "headers");
        assertThat(r.body().at("/error/message").asText()).contains(name);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Bearer a\r\nX-Injected: 1", "a\nb", "a\rb"})
    void aHeaderValueWithALineBreakIsRefused(String value) {
        String id = api.post(destinations, body(Map.of("url", "http://127.0.0.1:9/hooks"))).text("id");

        assertInvalid(api.post(destinations, body(Map.of("url", "http://127.0.0.1:9/hooks", "headers", Map.of("X-Note", value)))), "headers");
        assertInvalid(api.patch(destinations + "/" + id, body(Map.of("headers", Map.of("X-Note", value)))), "headers");
        assertThat(api.get(destinations + "/" + id).body().path("headers")).isEmpty();
    }

    @ParameterizedTest(name = "value {0}")
    @ValueSource(strings = {"a\u0001b", "a\u007fb", "Bearer \u4ee4\u724c"})
    void aHeaderValueHttpCannotCarryIsRefusedRatherThanBreakingEveryDelivery(String value) {
        // the JDK HTTP client rejects control characters and characters above U+00FF in header values
        ApiClient.Response r = api.post(destinations, body(Map.of("url", "http://127.0.0.1:9/hooks", "headers", Map.of("X-Note", value))));

        assertInvalid(r, "headers");
    }

    @Test
    void anUnknownDestinationOrSourceAnswers404() {
        String unknown = destinations + "/dst_doesnotexist00";
        for (ApiClient.Response r : new ApiClient.Response[] {api.get(unknown), api.patch(unknown, "{\"url\": \"http://127.0.0.1:9/x\"}"),
                api.delete(unknown), api.get("/v1/sources/src_doesnotexist00/destinations"),
                api.post("/v1/sources/src_doesnotexist00/destinations", "{\"url\": \"http://127.0.0.1:9/x\"}")}) {
            assertThat(r.status()).as(r.body().toString()).isEqualTo(404);
            assertThat(r.body().at("/error/type").asText()).isEqualTo("not_found");
            assertThat(r.body().at("/error/message").asText()).contains("doesnotexist00");
        }
    }

    private static String body(Map<String, Object> fields) {
        try {
            return MAPPER.writeValueAsString(fields);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertSecretHidden(JsonNode destination, String secret) {
        assertThat(destination.path("secret").isTextual()).as("a hint is shown: " + destination).isTrue();
        assertThat(destination.path("secret").asText()).isNotEqualTo(secret);
        assertThat(destination.toString()).doesNotContain(secret).doesNotContain(secret.substring(6, secret.length() - 4));
    }

    private static void assertInvalid(ApiClient.Response r, String param) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(400);
        assertThat(r.body().at("/error/type").asText()).isEqualTo("invalid_request");
        assertThat(r.body().at("/error/param").asText()).isEqualTo(param);
        assertThat(r.body().at("/error/message").asText()).isNotBlank();
    }
}
