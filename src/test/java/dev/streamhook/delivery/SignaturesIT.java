package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.NodeJs;
import dev.streamhook.testing.SignatureSnippets;
import dev.streamhook.testing.SignatureSnippets.Language;
import dev.streamhook.testing.SignatureSnippets.Scheme;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Signing as receivers see it: real deliveries from a running node, signed with both schemes,
 * before and during a secret rotation, checked by the snippet of each language in
 * docs/signatures.md run as a real program.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignaturesIT {

    private static final String OLD = "whsec_" + Base64.getEncoder().encodeToString("an old 32-byte signing key, fixed".substring(0, 32)
            .getBytes(StandardCharsets.UTF_8));

    private final TestPostgres.Server pg = TestPostgres.embedded();
    private Path dataDir;
    private Path work;
    private TestDb db;
    private WebhookReceiver receiver;
    private Main.Node node;
    private ApiClient api;
    private String destinationPath;
    private String sourceId;
    private String newSecret;
    private JsonNode rotated;
    /** Sent before the rotation (signed with OLD only), then during its grace period (signed with both). */
    private WebhookReceiver.Request before;
    private WebhookReceiver.Request during;
    private SignatureSnippets snippets;

    @BeforeAll
    void deliverOneEventBeforeAndOneDuringARotation() throws Exception {
        dataDir = Files.createTempDirectory("signatures-node");
        work = Files.createTempDirectory("signatures-work");
        snippets = new SignatureSnippets(work);
        db = pg.createDatabase();
        receiver = new WebhookReceiver();
        node = TestNodes.start(dataDir);
        api = new ApiClient(node.port()).signUp("signing@example.com");
        db.execute("CREATE TABLE notes (id int PRIMARY KEY, note text)");
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "signed", "type": "postgresql", "connection_uri": "%s", "tables": ["notes"]}
                """.formatted(db.uri()));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        ApiClient.Response destination = api.post("/v1/sources/" + source.text("id") + "/destinations", """
                {"url": "%s", "secret": "%s", "signature_scheme": "both"}
                """.formatted(receiver.url(), OLD));
        assertThat(destination.status()).as(destination.body().toString()).isEqualTo(201);
        assertThat(destination.text("signature_scheme")).isEqualTo("both");
        sourceId = source.text("id");
        destinationPath = "/v1/sources/" + sourceId + "/destinations/" + destination.text("id");

        db.execute("INSERT INTO notes VALUES (1, 'Zoë said \"hi\" </script> \u2028 😀')");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 1);
        ApiClient.Response rotation = api.post(destinationPath + "/rotate_secret", "");
        assertThat(rotation.status()).as(rotation.body().toString()).isEqualTo(200);
        newSecret = rotation.text("secret");
        rotated = rotation.body().get("destination");
        db.execute("INSERT INTO notes VALUES (2, 'after the rotation')");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 2);
        before = receiver.requests().get(0);
        during = receiver.requests().get(1);
    }

    @AfterAll
    void stop() {
        node.close();
        receiver.close();
        db.close();
    }

    @Test
    void aRotationAnswersTheNewSecretOnceAndKeepsTheOldOneSigningForADay() {
        assertThat(newSecret).matches("whsec_[A-Za-z0-9+/]{43}=");
        assertThat(rotated.get("secret").asText()).isEqualTo("whsec_****" + newSecret.substring(newSecret.length() - 4));
        assertThat(rotated.get("previous_secret").asText()).isEqualTo("whsec_****" + OLD.substring(OLD.length() - 4));
        assertThat(Instant.parse(rotated.get("previous_secret_expires_at").asText()))
                .isBetween(Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));
        JsonNode read = api.get(destinationPath).body();
        assertThat(read.toString()).doesNotContain(newSecret).doesNotContain(OLD);
        assertThat(read.get("previous_secret_expires_at")).isEqualTo(rotated.get("previous_secret_expires_at"));
    }

    @Test
    void bothSchemesSendTheirHeadersAndTheOldSecretSignsBesideTheNewOneDuringTheGracePeriod() {
        assertThat(before.header("X-StreamHook-Signature")).matches("sha256=[0-9a-f]{64}");
        assertThat(before.header("X-StreamHook-Signature-Previous")).isNull();
        assertThat(before.header("webhook-id")).isEqualTo(before.header("X-StreamHook-Event-ID"));
        assertThat(before.header("webhook-timestamp")).isEqualTo(before.header("X-StreamHook-Timestamp"));
        assertThat(before.header("webhook-signature")).matches("v1,[A-Za-z0-9+/]{43}=");

        assertThat(during.header("X-StreamHook-Signature")).matches("sha256=[0-9a-f]{64}"); // one value, as the page shows
        assertThat(during.header("X-StreamHook-Signature-Previous")).matches("sha256=[0-9a-f]{64}");
        assertThat(during.header("webhook-signature")).matches("v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=");
    }

    @Test
    void thePagesOwnSnippetVerifiesTheCurrentSecretDuringTheGracePeriod() throws Exception {
        assertThat(NodeJs.verifySignatures(List.of(before, during), newSecret).toString()).isEqualTo("[false,true]");
        assertThat(NodeJs.verifySignatures(List.of(before), OLD).toString()).isEqualTo("[true]");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Language.class)
    void eachLanguagesSnippetVerifiesRealDeliveriesThroughARotationAndRejectsTamperedBodies(Language language) throws Exception {
        String missing = language.missing();
        if (missing != null) {
            System.out.println("SKIPPED " + language + ": " + missing);
        }
        Assumptions.assumeTrue(missing == null, missing);
        for (Scheme scheme : Scheme.values()) {
            String as = language + " " + scheme;
            assertThat(verify(language, scheme, before, OLD)).as(as + ": before the rotation, the old secret").isTrue();
            assertThat(verify(language, scheme, before, newSecret)).as(as + ": before the rotation, the new secret").isFalse();
            assertThat(verify(language, scheme, during, newSecret)).as(as + ": during the grace period, the new secret").isTrue();
            assertThat(verify(language, scheme, during, OLD)).as(as + ": during the grace period, the old secret").isTrue();
            assertThat(snippets.verify(language, scheme, during.headers(), tampered(during), newSecret)).as(as + ": a tampered body").isFalse();
            assertThat(verify(language, scheme, during, "whsec_" + Base64.getEncoder().encodeToString(new byte[32])))
                    .as(as + ": another secret").isFalse();
        }
    }

    @Test
    void endingAGracePeriodEarlyStopsTheOldSignatureAtOnce() throws Exception {
        try (WebhookReceiver second = new WebhookReceiver()) {
            ApiClient.Response created = api.post("/v1/sources/" + sourceId + "/destinations", """
                    {"url": "%s", "secret": "an-old-plain-secret"}""".formatted(second.url()));
            String path = "/v1/sources/" + sourceId + "/destinations/" + created.text("id");
            ApiClient.Response changed = api.patch(path, "{\"secret\": \"a-new-plain-secret\"}");
            assertThat(changed.text("previous_secret")).isEqualTo("****cret");
            ApiClient.Response ended = api.patch(path, "{\"previous_secret_expires_in\": 0}");
            assertThat(ended.status()).as(ended.body().toString()).isEqualTo(200);
            assertThat(ended.body().get("previous_secret").isNull()).isTrue();
            assertThat(ended.body().get("previous_secret_expires_at").isNull()).isTrue();

            db.execute("INSERT INTO notes VALUES (3, 'after the grace period')");
            await().atMost(Duration.ofSeconds(30)).until(() -> !second.requests().isEmpty());
            WebhookReceiver.Request r = second.requests().get(0);
            assertThat(r.header("X-StreamHook-Signature-Previous")).isNull();
            assertThat(r.header("webhook-signature")).isNull(); // the page's scheme only, by default
            assertThat(snippets.verify(Language.PYTHON, Scheme.STREAMHOOK, r.headers(), r.body(), "a-new-plain-secret")).isTrue();
            assertThat(snippets.verify(Language.PYTHON, Scheme.STREAMHOOK, r.headers(), r.body(), "an-old-plain-secret")).isFalse();
        }
    }

    @Test
    void docsShowEachLanguagesSnippetAsTested() throws Exception {
        String docs = Files.readString(Path.of("docs/signatures.md"));
        for (Language language : Language.values()) {
            assertThat(docs).as(language + " snippet in docs/signatures.md").contains(language.snippet());
        }
    }

    @Test
    void aSchemeOrGraceTheApiCannotHonourIsRefusedNamingTheField() {
        String[][] cases = {
                {"{\"signature_scheme\": \"hmac\"}", "signature_scheme"},
                {"{\"signature_scheme\": \"standard_webhooks\", \"secret\": \"plain-text-secret\"}", "secret"},
                {"{\"secret\": \"whsec_another_secret_value\", \"previous_secret_expires_in\": -1}", "previous_secret_expires_in"},
                {"{\"secret\": \"whsec_another_secret_value\", \"previous_secret_expires_in\": 2592001}", "previous_secret_expires_in"},
        };
        for (String[] c : cases) {
            ApiClient.Response r = api.patch(destinationPath, c[0]);
            assertThat(r.status()).as(c[0] + " " + r.body()).isEqualTo(400);
            assertThat(r.body().at("/error/param").asText()).as(c[0]).isEqualTo(c[1]);
        }
        ApiClient.Response wrongBody = api.post(destinationPath + "/rotate_secret", "{\"previous_secret_expires_in\": \"soon\"}");
        assertThat(wrongBody.status()).isEqualTo(400);
        assertThat(wrongBody.body().at("/error/param").asText()).isEqualTo("previous_secret_expires_in");
        assertThat(api.get(destinationPath).body().get("signature_scheme").asText()).isEqualTo("both"); // nothing changed
    }

    private boolean verify(Language language, Scheme scheme, WebhookReceiver.Request r, String secret) throws Exception {
        return snippets.verify(language, scheme, r.headers(), r.body(), secret);
    }

    private static byte[] tampered(WebhookReceiver.Request r) {
        String body = r.bodyText();
        assertThat(body).contains("after the rotation");
        return body.replace("after the rotation", "after the rotatioN").getBytes(StandardCharsets.UTF_8);
    }
}
