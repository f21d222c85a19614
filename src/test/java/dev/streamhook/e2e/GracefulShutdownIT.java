package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.store.Database;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.ServerProcess;
import dev.streamhook.testing.StoreBackend;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM mid-backlog, from outside: StreamHook runs as its own process, gets SIGTERM (as systemd,
 * Kubernetes or {@code docker stop} send it) while a slow receiver still has a backlog to take, and
 * is started again on the same data directory. Checked at the receiver and in the store the stopped
 * process left: requests in flight within the grace are finished and recorded; requests still out
 * when the grace ends are not recorded as delivered; after the restart every event arrives.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class GracefulShutdownIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int ROWS = 400;

    @TempDir
    Path tmp;
    private Path dataDir;
    private TestDb db;
    private WebhookReceiver receiver;
    private final List<ServerProcess> servers = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        dataDir = Files.createDirectories(tmp.resolve("data"));
        db = TestPostgres.embedded().createDatabase();
        db.execute("CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL)");
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void tearDown() {
        servers.forEach(ServerProcess::close);
        receiver.close();
        db.close();
    }

    @Test
    void sigtermMidBacklogFinishesRequestsInFlightRecordsThemAndTheRestArrivesAfterRestart() {
        int port = ServerProcess.freePort();
        start(port, "first", Map.of("STREAMHOOK_SHUTDOWN_GRACE_MS", "10000"));
        ApiClient api = signedUp(port);
        Quickstart.sourceWithDestination(api, db, "items", receiver.url(), "whsec_graceful");
        receiver.delayEveryResponse(300); // 16 in flight x 300 ms: about 50 events/s, so the stop lands mid-backlog
        db.execute("INSERT INTO items SELECT g, 0 FROM generate_series(1, " + ROWS + ") g");
        await("some of the backlog delivered").atMost(Duration.ofSeconds(60)).until(() -> receivedIds().size() >= 40);

        long stopAt = System.nanoTime();
        int exit = servers.getFirst().terminate(Duration.ofSeconds(60));
        long stopMillis = (System.nanoTime() - stopAt) / 1_000_000;
        Set<String> received = receivedIds();

        assertThat(exit).as("exit status after SIGTERM").isEqualTo(143);
        assertThat(received.size()).as("events received before the stop, of %d", ROWS).isLessThan(ROWS);
        Set<String> succeeded = succeededInStore();
        assertThat(difference(succeeded, received)).as("events recorded delivered that the receiver never got").isEmpty();
        assertThat(difference(received, succeeded))
                .as("events the receiver got (and answered within 300 ms, well inside the 10 s grace) that the store does not record delivered")
                .isEmpty();
        System.out.printf("GracefulShutdownIT: stopped in %d ms with %d of %d events delivered%n", stopMillis, received.size(), ROWS);

        receiver.delayEveryResponse(0);
        start(port, "second", Map.of());
        await("every event delivered after the restart").atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(receivedRows()).as("rows received").hasSize(ROWS));
    }

    @Test
    void aRequestStillOutWhenTheGraceEndsIsNotRecordedDeliveredAndIsSentAgainAfterRestart() {
        int port = ServerProcess.freePort();
        start(port, "first", Map.of("STREAMHOOK_SHUTDOWN_GRACE_MS", "1000", "STREAMHOOK_DELIVERY_TIMEOUT_MS", "60000"));
        ApiClient api = signedUp(port);
        Quickstart.sourceWithDestination(api, db, "items", receiver.url(), "whsec_graceful");
        receiver.delayEveryResponse(30_000); // far longer than the grace: every request is still out at the stop
        db.execute("INSERT INTO items SELECT g, 0 FROM generate_series(1, 40) g");
        await("requests in flight").atMost(Duration.ofSeconds(60)).until(() -> receivedIds().size() >= 16);

        long stopAt = System.nanoTime();
        int exit = servers.getFirst().terminate(Duration.ofSeconds(25));
        long stopMillis = (System.nanoTime() - stopAt) / 1_000_000;

        assertThat(exit).as("exit status after SIGTERM").isEqualTo(143);
        System.out.printf("GracefulShutdownIT: stopped in %d ms with a 1 s grace and 16 requests out%n", stopMillis);
        assertThat(stopMillis).as("ms from SIGTERM to exit, with a 1 s grace and receivers that answer after 30 s").isLessThan(10_000);
        assertThat(succeededInStore()).as("events recorded delivered though no answer came").isEmpty();

        receiver.delayEveryResponse(0);
        start(port, "second", Map.of());
        await("every event delivered after the restart").atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(receivedRows()).as("rows received").hasSize(40));
    }

    private void start(int port, String name, Map<String, String> settings) {
        servers.add(ServerProcess.start(port, dataDir, tmp.resolve("streamhook-" + name + ".log"), settings));
    }

    private static ApiClient signedUp(int port) {
        ApiClient.Response account = new ApiClient(port).post("/v1/accounts", "{\"email\":\"sigterm@example.com\"}");
        assertThat(account.status()).as(account.body().toString()).isEqualTo(201);
        return new ApiClient(port).withKey(account.text("api_key"));
    }

    private Set<String> receivedIds() {
        Set<String> ids = new HashSet<>();
        for (WebhookReceiver.Request r : receiver.requests()) {
            ids.add(json(r).path("id").asText());
        }
        return ids;
    }

    private Set<Integer> receivedRows() {
        Set<Integer> rows = new HashSet<>();
        for (WebhookReceiver.Request r : receiver.requests()) {
            rows.add(json(r).at("/after/id").asInt());
        }
        return rows;
    }

    private static com.fasterxml.jackson.databind.JsonNode json(WebhookReceiver.Request r) {
        try {
            return MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event ids the stopped node's store records as delivered, read from the store itself. */
    private Set<String> succeededInStore() {
        var location = new StoreBackend.Location(StoreBackend.current(), dataDir,
                TestNodes.storeSettings(dataDir).get("STREAMHOOK_DATABASE_URL"));
        try (Database store = location.open()) {
            return store.read(c -> {
                try (PreparedStatement q = c.prepareStatement(
                        "SELECT e.id FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.status = 'SUCCEEDED'")) {
                    ResultSet rs = q.executeQuery();
                    Set<String> ids = new HashSet<>();
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                    return ids;
                }
            });
        }
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }
}
