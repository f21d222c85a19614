package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.ServerProcess;
import dev.streamhook.testing.TestCertificate;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery to {@code https://} endpoints by a real server process that trusts the receiver's
 * certificate the way an operator trusts an internal CA ({@code -Djavax.net.ssl.trustStore} in
 * {@code STREAMHOOK_JAVA_OPTS}): the certificate must name the URL's host, and a backlog goes out
 * over TLS with the default 16 requests in flight, answers read on the client's selector thread.
 */
class HttpsDeliveryIT {

    private static final String SECRET = "whsec_https";

    @TempDir
    Path tmp;

    private TestCertificate certificate;
    private TestDb db;
    private WebhookReceiver receiver;
    private ServerProcess server;
    private ApiClient api;

    @BeforeEach
    void start() throws Exception {
        certificate = TestCertificate.forLocalhost(tmp);
        db = TestPostgres.embedded().createDatabase();
        db.execute("CREATE TABLE items (id int PRIMARY KEY, note text)");
        receiver = WebhookReceiver.overTls(certificate.serverContext());
        List<String> jvm = new ArrayList<>(ServerProcess.DEFAULT_JVM_OPTIONS);
        jvm.addAll(certificate.trustStoreOptions());
        server = ServerProcess.start(ServerProcess.freePort(), Files.createDirectories(tmp.resolve("data")), tmp.resolve("streamhook.log"),
                Map.of(), jvm);
        api = new ApiClient(server.port()).signUp("https@example.com");
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {server, receiver, db}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // the next one is closed all the same
                }
            }
        }
    }

    @Test
    void aBacklogReachesAnHttpsEndpointWhoseCertificateNamesItsHostSignedAndWhole() throws Exception {
        assertThat(receiver.url()).startsWith("https://localhost:");
        Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);

        db.execute("INSERT INTO items SELECT g, 'note ' || g FROM generate_series(1, 2000) g");

        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.requests().size() >= 2_000);
        List<WebhookReceiver.Request> requests = receiver.requests();
        Set<String> rows = requests.stream().map(r -> r.bodyText().replaceAll("(?s).*\"id\":(\\d+).*", "$1")).collect(Collectors.toSet());
        assertThat(rows).as("every row once").hasSize(2_000);
        List<String> badlySigned = new ArrayList<>();
        for (WebhookReceiver.Request r : requests) {
            if (!("sha256=" + hmac(r.body())).equals(r.header("X-StreamHook-Signature"))) {
                badlySigned.add(r.header("X-StreamHook-Event-ID"));
            }
        }
        assertThat(badlySigned).as("requests whose signature does not match their body").isEmpty();
    }

    @Test
    void anEndpointWhoseCertificateDoesNotNameTheUrlsHostIsNeverSentToAndItsAttemptsSayTls() {
        // the same receiver and certificate, reached by its address: the certificate names localhost only
        String sourceId = Quickstart.sourceWithDestination(api, db, "items", receiver.url().replace("localhost", "127.0.0.1"), SECRET);

        db.execute("INSERT INTO items VALUES (1, 'a')");

        String eventId = Quickstart.awaitNewestEventId(api, sourceId);
        JsonNode attempt = await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/v1/events/" + eventId).body().at("/deliveries/0/attempts/0"), a -> !a.isMissingNode());
        assertThat(attempt.get("error_kind").asText()).as(attempt.toString()).isEqualTo("tls");
        assertThat(attempt.get("status_code").isNull()).as("no HTTP exchange took place: " + attempt).isTrue();
        assertThat(receiver.requests()).as("no request reached the endpoint").isEmpty();
    }

    private static String hmac(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
