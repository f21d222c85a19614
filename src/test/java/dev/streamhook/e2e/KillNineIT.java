package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.ServerProcess;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "no loss across kill -9" promise, tested from outside: StreamHook runs as its own process
 * from the shaded jar, is killed with SIGKILL while it still has work, and is started again on the
 * same data directory. Only the REST API, the webhooks and the process boundary are used, so the
 * test holds whatever the store and delivery look like inside.
 *
 * <p>What is checked on what the receiver got: every committed change (row, version) arrived at
 * least once; per row, the first arrivals follow commit order; a change has one event id; an event
 * id that arrived more than once came with the same body bytes each time; every signature verifies.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // generous: other builds share this machine's two cores
class KillNineIT {

    private static final String SECRET = "whsec_kill_nine";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The version a DELETE gets in {@link Model}: after every UPDATE of the row. */
    private static final int DELETED = -1;

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
    void aServerKilledMidBacklogLosesNothingAndResendsInFlightEventsWithTheSameIdAndBytes() throws Exception {
        showServerOutputOnFailure(() -> {
            int port = ServerProcess.freePort();
            ServerProcess first = start(port, "first");
            String key = signUp(port);
            ApiClient api = new ApiClient(port).withKey(key);
            String sourceId = Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            // slow answers keep the backlog in flight while the changes below are written: 16 requests
            // in flight x 40 ms is about 400 events/s, so the kill below lands mid-backlog (at 10 ms
            // the engine delivered all 4,900 before the last change was written)
            receiver.delayEveryResponse(40);

            Model model = new Model();
            model.insert(1, 1_000);
            model.insert(1_001, 2_000);
            model.insert(2_001, 3_000);
            for (int round = 0; round < 3; round++) {
                model.updateEvery(5, 0, 1, 3_000); // 600 rows, three times, each round one transaction
            }
            for (int i = 0; i < 100; i++) {
                model.updateOne(1 + i % 20); // single-row transactions: each of rows 1..20 five more times
            }
            int backlog = model.changeCount();

            Arrivals arrivals = new Arrivals(receiver);
            await("some of the backlog delivered").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(5))
                    .until(() -> arrivals.update().distinctChanges() >= 1_000);
            int exit = first.kill9();
            Thread.sleep(200); // a request the receiver read in full just before the kill is recorded by now
            int beforeKill = arrivals.update().distinctChanges();
            int requestsBeforeKill = arrivals.requestCount();
            assertThat(exit).as("exit status of SIGKILL").isEqualTo(137);
            assertThat(beforeKill).as("changes received before the kill, of %d", backlog).isPositive().isLessThan(backlog);

            // changes committed while StreamHook is down wait in the slot
            model.insert(3_001, 3_300);
            model.updateEvery(3, 0, 2_900, 3_300);
            model.delete(2_951, 3_000);
            for (int i = 0; i < 30; i++) {
                model.updateOne(3_001 + i % 10);
            }
            model.checkAgainst(db);

            start(port, "second");
            awaitEveryChange(arrivals, model, Duration.ofSeconds(180));

            assertNothingLostOrChanged(arrivals, model);
            ApiClient after = new ApiClient(port).withKey(key); // a fresh client: no pooled connection to the dead process
            JsonNode stats = after.get("/v1/sources/" + sourceId).body();
            System.out.printf("KillNineIT mid-backlog: %d changes, %d received (%d requests) before the kill, %d requests in all, "
                            + "%d duplicate requests over %d event ids; events_captured=%s%n",
                    model.changeCount(), beforeKill, requestsBeforeKill, arrivals.requestCount(), arrivals.duplicateRequests(),
                    arrivals.eventIdsReceivedMoreThanOnce(), stats.at("/stats/events_captured"));
            assertThat(stats.at("/stats/events_captured").asLong()).as("each change stored once: " + stats).isEqualTo(model.changeCount());
        });
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES) // 20,000 deliveries: 50 s on a quiet machine, 150 s on a busy one
    void aServerKilledWhileStoringALargeTransactionLosesNothingAndKeepsEveryEventIdStable() throws Exception {
        showServerOutputOnFailure(() -> {
            int port = ServerProcess.freePort();
            ServerProcess first = start(port, "first");
            String key = signUp(port);
            ApiClient api = new ApiClient(port).withKey(key);
            String sourceId = Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);

            Model model = new Model();
            model.insert(1, 20_000); // one transaction that capture stores in several chunks
            AtomicLong captured = new AtomicLong();
            await("capture started storing the transaction").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        captured.set(api.get("/v1/sources/" + sourceId).body().at("/stats/events_captured").asLong());
                        return captured.get() > 0;
                    });
            int exit = first.kill9();
            assertThat(exit).as("exit status of SIGKILL").isEqualTo(137);
            assertThat(captured.get()).as("events_captured seen just before the kill").isLessThan(model.changeCount());
            String slot = slotPosition();
            Arrivals arrivals = new Arrivals(receiver);
            Thread.sleep(200);
            int beforeKill = arrivals.update().distinctChanges();
            model.checkAgainst(db);

            start(port, "second");
            awaitEveryChange(arrivals, model, Duration.ofSeconds(360));

            assertNothingLostOrChanged(arrivals, model);
            ApiClient after = new ApiClient(port).withKey(key); // a fresh client: no pooled connection to the dead process
            JsonNode stats = after.get("/v1/sources/" + sourceId).body();
            System.out.printf("KillNineIT large transaction: %d rows, events_captured %d seen before the kill (%s), %d received before the kill, "
                            + "%d requests in all, %d duplicate requests over %d event ids; events_captured=%s%n",
                    model.changeCount(), captured.get(), slot, beforeKill, arrivals.requestCount(), arrivals.duplicateRequests(),
                    arrivals.eventIdsReceivedMoreThanOnce(), stats.at("/stats/events_captured"));
            assertThat(stats.at("/stats/events_captured").asLong()).as("each change stored once: " + stats).isEqualTo(model.changeCount());
        });
    }

    private static void awaitEveryChange(Arrivals arrivals, Model model, Duration atMost) {
        await("every committed change delivered after the restart").atMost(atMost).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    List<String> missing = arrivals.update().missing(model);
                    assertThat(missing.size()).as("changes (row@version) not received yet, of %d; the first: %s",
                            model.changeCount(), missing.subList(0, Math.min(10, missing.size()))).isZero();
                });
    }

    private void assertNothingLostOrChanged(Arrivals arrivals, Model model) {
        assertThat(arrivals.badSignatures()).as("requests whose X-StreamHook-Signature does not verify").isEmpty();
        assertThat(arrivals.headerMismatches()).as("requests whose X-StreamHook-Event-ID is not the body's id").isEmpty();
        assertThat(arrivals.unexpected(model)).as("changes nobody committed").isEmpty();
        assertThat(arrivals.missing(model)).as("committed changes never received").isEmpty();
        assertThat(arrivals.changesWithSeveralIds()).as("changes received under more than one event id").isEmpty();
        assertThat(arrivals.idsWithSeveralBodies()).as("event ids received with different body bytes").isEmpty();
        assertThat(arrivals.rowsOutOfOrder(model)).as("rows whose first arrivals are not in commit order").isEmpty();
    }

    private ServerProcess start(int port, String name) {
        ServerProcess server = ServerProcess.start(port, dataDir, tmp.resolve("streamhook-" + name + ".log"), Map.of());
        servers.add(server);
        return server;
    }

    /** Creates an account; its API key works on every later process too, as the store keeps it. */
    private static String signUp(int port) {
        ApiClient.Response account = new ApiClient(port).post("/v1/accounts", "{\"email\":\"kill9@example.com\"}");
        assertThat(account.status()).as(account.body().toString()).isEqualTo(201);
        return account.text("api_key");
    }

    /** The slot's confirmed position against the database's WAL end, for the report. */
    private String slotPosition() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT confirmed_flush_lsn, pg_current_wal_lsn() FROM pg_replication_slots WHERE database = current_database()")) {
            return rs.next() ? "slot confirmed " + rs.getString(1) + ", WAL at " + rs.getString(2) : "no slot";
        }
    }

    private interface Scenario {
        void run() throws Exception;
    }

    /** Prints each server process's output when the scenario fails, so a crash-recovery bug shows its logs. */
    private void showServerOutputOnFailure(Scenario scenario) throws Exception {
        try {
            scenario.run();
        } catch (Exception | Error e) {
            for (ServerProcess server : servers) {
                String output = server.output();
                String[] lines = output.split("\n");
                int from = Math.max(0, lines.length - 400);
                System.out.println("===== " + server.log().getFileName() + " (pid " + server.pid() + ", last " + (lines.length - from)
                        + " of " + lines.length + " lines) =====");
                System.out.println(String.join("\n", Arrays.copyOfRange(lines, from, lines.length)));
            }
            System.out.println("===== receiver: " + receiver.requests().size() + " requests =====");
            throw e;
        }
    }

    /**
     * The changes the test committed, in commit order per row: versions 0, 1, 2... ({@code n} after
     * the INSERT or UPDATE), then {@link #DELETED}. Every method is one autocommit transaction.
     */
    private final class Model {
        private final Map<Integer, List<Integer>> versions = new TreeMap<>();

        void insert(int from, int to) {
            db.execute("INSERT INTO items SELECT g, 0 FROM generate_series(" + from + ", " + to + ") g");
            for (int id = from; id <= to; id++) {
                versions.put(id, new ArrayList<>(List.of(0)));
            }
        }

        /** Adds 1 to {@code n} of the live rows from..to whose id % mod == rest. */
        void updateEvery(int mod, int rest, int from, int to) {
            db.execute("UPDATE items SET n = n + 1 WHERE id % " + mod + " = " + rest + " AND id BETWEEN " + from + " AND " + to);
            for (int id = from; id <= to; id++) {
                if (id % mod == rest) {
                    bump(id);
                }
            }
        }

        void updateOne(int id) {
            db.execute("UPDATE items SET n = n + 1 WHERE id = " + id);
            bump(id);
        }

        void delete(int from, int to) {
            db.execute("DELETE FROM items WHERE id BETWEEN " + from + " AND " + to);
            for (int id = from; id <= to; id++) {
                if (live(id)) {
                    versions.get(id).add(DELETED);
                }
            }
        }

        private void bump(int id) {
            if (live(id)) {
                List<Integer> v = versions.get(id);
                v.add(v.getLast() + 1);
            }
        }

        private boolean live(int id) {
            List<Integer> v = versions.get(id);
            return v != null && v.getLast() != DELETED;
        }

        int changeCount() {
            return versions.values().stream().mapToInt(List::size).sum();
        }

        Map<Integer, List<Integer>> versions() {
            return versions;
        }

        /** The model must say what the table holds, or the expectations are wrong, not StreamHook. */
        void checkAgainst(TestDb database) throws SQLException {
            long rows = versions.values().stream().filter(v -> v.getLast() != DELETED).count();
            long sum = versions.values().stream().filter(v -> v.getLast() != DELETED).mapToLong(List::getLast).sum();
            try (Connection c = database.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(n), 0) FROM items")) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows in items").isEqualTo(rows);
                assertThat(rs.getLong(2)).as("sum of n in items").isEqualTo(sum);
            }
        }
    }

    /** One webhook request as the receiver got it, read once. */
    private record Arrival(int row, int version, String eventId, String headerId, byte[] body, boolean signatureValid) {
        String change() {
            return row + "@" + version;
        }
    }

    /** What the receiver got, read incrementally (the list grows to tens of thousands of requests). */
    private static final class Arrivals {
        private final WebhookReceiver receiver;
        private final List<Arrival> all = new ArrayList<>();
        private final Set<String> changes = new java.util.HashSet<>();

        Arrivals(WebhookReceiver receiver) {
            this.receiver = receiver;
        }

        Arrivals update() {
            List<WebhookReceiver.Request> requests = receiver.requests();
            for (int i = all.size(); i < requests.size(); i++) {
                Arrival a = read(requests.get(i));
                all.add(a);
                changes.add(a.change());
            }
            return this;
        }

        int distinctChanges() {
            return changes.size();
        }

        int requestCount() {
            return all.size();
        }

        List<String> missing(Model model) {
            List<String> missing = new ArrayList<>();
            model.versions().forEach((row, versions) -> versions.forEach(v -> {
                if (!changes.contains(row + "@" + v)) {
                    missing.add(row + "@" + v);
                }
            }));
            return missing;
        }

        List<String> unexpected(Model model) {
            return changes.stream().filter(c -> {
                String[] rv = c.split("@");
                List<Integer> versions = model.versions().get(Integer.parseInt(rv[0]));
                return versions == null || !versions.contains(Integer.parseInt(rv[1]));
            }).sorted().toList();
        }

        List<String> badSignatures() {
            return all.stream().filter(a -> !a.signatureValid()).map(Arrival::eventId).toList();
        }

        List<String> headerMismatches() {
            return all.stream().filter(a -> !a.eventId().equals(a.headerId())).map(a -> a.eventId() + " vs " + a.headerId()).toList();
        }

        Map<String, Set<String>> changesWithSeveralIds() {
            Map<String, Set<String>> ids = new TreeMap<>();
            all.forEach(a -> ids.computeIfAbsent(a.change(), k -> new LinkedHashSet<>()).add(a.eventId()));
            ids.values().removeIf(s -> s.size() == 1);
            return ids;
        }

        List<String> idsWithSeveralBodies() {
            Map<String, byte[]> first = new HashMap<>();
            Set<String> differing = new LinkedHashSet<>();
            for (Arrival a : all) {
                byte[] seen = first.putIfAbsent(a.eventId(), a.body());
                if (seen != null && !Arrays.equals(seen, a.body())) {
                    differing.add(a.eventId() + ":\n  " + new String(seen, StandardCharsets.UTF_8) + "\n  " + new String(a.body(), StandardCharsets.UTF_8));
                }
            }
            return new ArrayList<>(differing);
        }

        /** Rows whose versions, in the order they first arrived, differ from commit order. */
        Map<Integer, String> rowsOutOfOrder(Model model) {
            Map<Integer, LinkedHashSet<Integer>> firstArrivals = new TreeMap<>();
            all.forEach(a -> firstArrivals.computeIfAbsent(a.row(), k -> new LinkedHashSet<>()).add(a.version()));
            Map<Integer, String> wrong = new TreeMap<>();
            firstArrivals.forEach((row, arrived) -> {
                List<Integer> committed = model.versions().get(row);
                if (!new ArrayList<>(arrived).equals(committed)) {
                    wrong.put(row, "arrived " + arrived + ", committed " + committed);
                }
            });
            return wrong;
        }

        long duplicateRequests() {
            return all.size() - all.stream().map(Arrival::eventId).distinct().count();
        }

        long eventIdsReceivedMoreThanOnce() {
            Map<String, Integer> counts = new HashMap<>();
            all.forEach(a -> counts.merge(a.eventId(), 1, Integer::sum));
            return counts.values().stream().filter(c -> c > 1).count();
        }

        private static Arrival read(WebhookReceiver.Request r) {
            JsonNode e;
            try {
                e = MAPPER.readTree(r.body());
            } catch (IOException ex) {
                throw new AssertionError("webhook body is not JSON: " + r.bodyText(), ex);
            }
            String operation = e.path("operation").asText();
            int row;
            int version;
            switch (operation) {
                case "INSERT", "UPDATE" -> {
                    row = e.at("/after/id").asInt();
                    version = e.at("/after/n").asInt();
                }
                case "DELETE" -> {
                    row = e.at("/before/id").asInt();
                    version = DELETED;
                }
                default -> throw new AssertionError("unexpected operation in " + r.bodyText());
            }
            return new Arrival(row, version, e.path("id").asText(), r.header("X-StreamHook-Event-ID"), r.body(),
                    signatureValid(r.body(), r.header("X-StreamHook-Signature")));
        }

        private static boolean signatureValid(byte[] body, String header) {
            if (header == null) {
                return false;
            }
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
                return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), header.getBytes(StandardCharsets.US_ASCII));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
