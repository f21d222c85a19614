package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.json.JsonValue;
import dev.streamhook.store.Accounts;
import dev.streamhook.store.Database;
import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Due;
import dev.streamhook.store.Destinations;
import dev.streamhook.store.EventLog;
import dev.streamhook.store.SecretBox;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Usage;
import dev.streamhook.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Several nodes on one store, started at once, each with its own connections and its own lanes for
 * every destination: a destination's deliveries are handed to one node only, none is sent twice,
 * and every row's events arrive in commit order; when a node stops, another takes its lanes over
 * and the rest still arrives once, in order.
 */
class SeveralNodesIT {

    private static final int NODES = 3;
    private static final int DESTINATIONS = 4;
    private static final int EVENTS = 400;
    private static final int ROWS = 20;

    @TempDir
    Path dataDir;
    private final List<Database> opened = new ArrayList<>();
    private final List<Dispatcher> dispatchers = new ArrayList<>();

    /** One send: which node sent which event to which destination. */
    private record Sent(String node, String destinationId, String eventId) {
    }

    private final List<Sent> sent = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        dispatchers.forEach(Dispatcher::stop);
        opened.forEach(Database::close);
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    @Timeout(120)
    void nodesStartedAtOnceShareTheDestinationsWithoutSendingAnyEventTwiceOrOutOfOrder(StoreBackend backend) {
        StoreBackend.Location store = backend.fresh(dataDir);
        Database first = open(store);
        SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
        String account = new Accounts(first).create("nodes@example.com").orElseThrow().account().id();
        new Sources(first, secrets).insert(new Sources.Source("src_1", account, "s", "postgresql", "postgres://u@h/d", "d",
                List.of("public.t"), "slot", "pub", Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
        Destinations destinations = new Destinations(first, secrets);
        for (int d = 0; d < DESTINATIONS; d++) {
            destinations.upsert(new Destinations.Destination("dst_" + d, "src_1", "http://127.0.0.1:1/" + d, null, null, Map.of(), null, 0));
        }
        EventLog log = new EventLog(first, new Usage(first, Clock.systemUTC(), Usage.UNLIMITED));
        Map<String, List<String>> rows = new HashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            Lsn commit = new Lsn(0x1000L + i * 0x100L);
            EventId id = EventId.of(1, commit, 0);
            String row = "row" + (i % ROWS);
            rows.computeIfAbsent(row, k -> new ArrayList<>()).add(id.value());
            ChangeEvent e = ChangeEvent.row(id, "src_1", commit, 700, 0, Instant.EPOCH, "d", "public", "t", Operation.UPDATE,
                    JsonValue.NULL, JsonValue.objectBuilder().put("v", JsonValue.of(i)).build(), List.of(), "public.t[\"" + row + "\"]");
            log.append("src_1", new Lsn(commit.value() + 0x10), List.of(EncodedEvent.of(e))).join();
        }

        List<Thread> starting = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            Database db = n == 0 ? first : open(store);
            Dispatcher node = new Dispatcher(new DeliveryQueue(db), new Destinations(db, secrets), db.signals(), new Recording("node-" + n),
                    new RetryPolicy(3, List.of(Duration.ofMillis(10))), DeliveryMetrics.NONE, "node-" + n, 16, 2_000, 1_000, 4L << 20,
                    Clock.systemUTC());
            dispatchers.add(node);
            starting.add(Thread.ofPlatform().unstarted(node::start));
        }
        starting.forEach(Thread::start); // all at once: each node's lanes race for every destination

        await("half of every destination's events").atMost(Duration.ofSeconds(60))
                .until(() -> sent.stream().map(s -> s.destinationId() + s.eventId()).distinct().count() >= (long) DESTINATIONS * EVENTS / 2);
        dispatchers.getFirst().stop(); // a node leaves: its lanes go to the others
        await("every event at every destination").atMost(Duration.ofSeconds(60))
                .until(() -> sent.stream().map(s -> s.destinationId() + s.eventId()).distinct().count() == (long) DESTINATIONS * EVENTS);

        Map<String, Long> timesSent = sent.stream().collect(Collectors.groupingBy(s -> s.destinationId() + " " + s.eventId(), Collectors.counting()));
        assertThat(timesSent.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                .as("deliveries sent more than once").isEmpty();
        for (int d = 0; d < DESTINATIONS; d++) {
            String destination = "dst_" + d;
            List<String> order = sent.stream().filter(s -> s.destinationId().equals(destination)).map(Sent::eventId).toList();
            rows.forEach((row, ids) -> assertThat(order.stream().filter(ids::contains).toList())
                    .as(destination + " " + row).containsExactlyElementsOf(ids));
        }
    }

    /**
     * A lane that never runs dry reads on past its older deliveries; one made due again by hand
     * through the API of another node must still reach it, or it would wait until the lane is idle.
     */
    @org.junit.jupiter.api.Test
    @Timeout(120)
    void anEventRetriedByHandThroughAnotherNodeGoesOutWhileTheLaneThatHoldsItStaysBusy() throws InterruptedException {
        StoreBackend.Location store = StoreBackend.POSTGRESQL.fresh(dataDir);
        Database laneNode = open(store);
        Database apiNode = open(store);
        SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
        String account = new Accounts(laneNode).create("retry@example.com").orElseThrow().account().id();
        new Sources(laneNode, secrets).insert(new Sources.Source("src_1", account, "s", "postgresql", "postgres://u@h/d", "d",
                List.of("public.t"), "slot", "pub", Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
        Destinations.Destination holding = new Destinations.Destination("dst_1", "src_1", "http://127.0.0.1:1/", null, null, Map.of(), 1, 0);
        new Destinations(laneNode, secrets).upsert(new Destinations.Destination(holding.id(), holding.sourceId(), holding.url(), null, null,
                Map.of(), 1, holding.operations(), 0, holding.tuning(), holding.state(), holding.signatureScheme(), null,
                Destinations.OnFailure.SKIP)); // a failed event does not hold its row: the lane reads on past it
        EventLog log = new EventLog(laneNode, new Usage(laneNode, Clock.systemUTC(), Usage.UNLIMITED));
        java.util.concurrent.atomic.AtomicLong transactions = new java.util.concurrent.atomic.AtomicLong();
        String failing = append(log, transactions, "failing");
        java.util.Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();
        refused.add(failing);
        Dispatcher node = new Dispatcher(new DeliveryQueue(laneNode), new Destinations(laneNode, secrets), laneNode.signals(), d -> {
            sent.add(new Sent("lane node", d.destinationId(), d.eventId()));
            if (refused.contains(d.eventId())) {
                return new Attempt(System.currentTimeMillis(), 1, 500, null, null);
            }
            try {
                Thread.sleep(20); // slower than the writer below: the lane's backlog grows, it is never idle
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Attempt(System.currentTimeMillis(), 1, 200, null, null);
        }, new RetryPolicy(1, List.of(Duration.ofMillis(10))), DeliveryMetrics.NONE, "lane-node", 16, 180_000, 1_000, 4L << 20,
                Clock.systemUTC()); // renewed after a minute: within this test the lane reads from its start only when told
        dispatchers.add(node);
        node.start();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = Thread.ofPlatform().start(() -> {
            while (writing.get()) {
                append(log, transactions, "busy" + transactions.get() % 50);
            }
        });
        try {
            await("the event failed for good").atMost(Duration.ofSeconds(30)).until(() -> apiNode.read(c -> {
                var q = c.createStatement().executeQuery("SELECT status FROM deliveries WHERE destination_id = 'dst_1' ORDER BY event_seq LIMIT 1");
                return q.next() && q.getString(1).equals("FAILED");
            }));
            await("a backlog in the lane").atMost(Duration.ofSeconds(30)).until(() -> backlog(apiNode) >= 200);
            refused.clear();
            assertThat(new dev.streamhook.store.Redeliveries(apiNode).retryFailed(failing, "dst_1", false, System.currentTimeMillis()).retried())
                    .isEqualTo(1);
            await("the retried event, while the lane is busy").atMost(Duration.ofSeconds(20))
                    .until(() -> sent.stream().filter(x -> x.eventId().equals(failing)).count() == 2);
            assertThat(backlog(apiNode)).as("deliveries still waiting in the lane: it was never idle").isPositive();
        } finally {
            writing.set(false);
            writer.join();
        }
    }

    private static long backlog(Database db) {
        return db.read(c -> {
            var q = c.createStatement().executeQuery("SELECT count(*) FROM deliveries WHERE destination_id = 'dst_1' AND status = 'PENDING'");
            q.next();
            return q.getLong(1);
        });
    }

    private static String append(EventLog log, java.util.concurrent.atomic.AtomicLong transactions, String row) {
        Lsn commit = new Lsn(0x1000L + transactions.getAndIncrement() * 0x100L);
        EventId id = EventId.of(1, commit, 0);
        ChangeEvent e = ChangeEvent.row(id, "src_1", commit, 700, 0, Instant.EPOCH, "d", "public", "t", Operation.UPDATE,
                JsonValue.NULL, JsonValue.objectBuilder().put("v", JsonValue.of(1)).build(), List.of(), "public.t[\"" + row + "\"]");
        log.append("src_1", new Lsn(commit.value() + 0x10), List.of(EncodedEvent.of(e))).join();
        return id.value();
    }

    private Database open(StoreBackend.Location store) {
        Database db = store.open();
        opened.add(db);
        return db;
    }

    /** Answers 200 after a moment, so sends of different nodes overlap, and records who sent what. */
    private final class Recording implements Sender {
        private final String node;

        Recording(String node) {
            this.node = node;
        }

        @Override
        public Attempt send(Due d) {
            sent.add(new Sent(node, d.destinationId(), d.eventId()));
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(3));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Attempt(System.currentTimeMillis(), 1, 200, null, null);
        }
    }
}
