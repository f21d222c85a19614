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
import dev.streamhook.store.Destinations.Destination;
import dev.streamhook.store.EventLog;
import dev.streamhook.store.Redeliveries;
import dev.streamhook.store.Usage;
import dev.streamhook.store.SecretBox;
import dev.streamhook.store.Sources;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Lanes on a real embedded store, with a sender that answers per destination as the test says. */
@Timeout(60)
class DispatcherTest {

    @TempDir
    Path dataDir;
    private Database db;
    private Destinations destinations;
    private EventLog log;
    private Dispatcher dispatcher;
    private final ScriptedSender sender = new ScriptedSender();
    private long transactions;

    /** Records every attempt; a destination in {@code hanging} does not answer until released. */
    private static final class ScriptedSender implements Sender {
        final List<Due> sent = new CopyOnWriteArrayList<>();
        final Map<String, CountDownLatch> hanging = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        final Map<String, Integer> mostInFlight = new ConcurrentHashMap<>();
        /** Event ids answered 500 while they are here. */
        final java.util.Set<String> refused = ConcurrentHashMap.newKeySet();
        /** Event ids answered once 429 with {@code Retry-After} of the given wait. */
        final Map<String, Duration> throttled = new ConcurrentHashMap<>();
        final List<Long> sentAt = new CopyOnWriteArrayList<>();
        /** How many times an event is refused (500) before it is taken; none when absent. */
        final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
        /** Event ids answered 2xx, in the order the answers were given. */
        final List<String> delivered = new CopyOnWriteArrayList<>();

        @Override
        public Attempt send(Due d) {
            int now = inFlight.computeIfAbsent(d.destinationId(), k -> new AtomicInteger()).incrementAndGet();
            mostInFlight.merge(d.destinationId(), now, Math::max);
            sent.add(d);
            sentAt.add(System.nanoTime());
            try {
                CountDownLatch latch = hanging.get(d.destinationId());
                if (latch != null) {
                    latch.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.get(d.destinationId()).decrementAndGet();
            }
            Duration retryAfter = throttled.remove(d.eventId());
            if (retryAfter != null) {
                return new Attempt(System.currentTimeMillis(), 1, 429, null, null, DeliveryQueue.ErrorKind.STATUS, retryAfter);
            }
            AtomicInteger left = failuresLeft.get(d.eventId());
            boolean refuse = refused.contains(d.eventId()) || left != null && left.getAndDecrement() > 0;
            if (!refuse) {
                delivered.add(d.eventId());
            }
            return new Attempt(System.currentTimeMillis(), 1, refuse ? 500 : 200, null, null);
        }

        List<String> rowsSentTo(String destinationId) {
            return sent.stream().filter(d -> d.destinationId().equals(destinationId)).map(Due::eventId).toList();
        }
    }

    @BeforeEach
    void open() {
        db = Database.openEmbedded(dataDir);
        SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
        destinations = new Destinations(db, secrets);
        log = new EventLog(db, new Usage(db, java.time.Clock.systemUTC(), Usage.UNLIMITED));
        Sources sources = new Sources(db, secrets);
        String account = new Accounts(db).create("lanes@example.com").orElseThrow().account().id();
        sources.insert(new Sources.Source("src_1", account, "s", "postgresql", "postgres://u@h/d", "d", List.of("public.t"),
                "slot", "pub", Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
    }

    @AfterEach
    void close() {
        sender.hanging.values().forEach(CountDownLatch::countDown);
        if (dispatcher != null) {
            dispatcher.stop();
        }
        db.close();
    }

    private void destination(String id, Integer maxInFlight) {
        destinations.upsert(new Destination(id, "src_1", "http://127.0.0.1:1/" + id, null, null, Map.of(), maxInFlight, 0));
    }

    private void start() {
        start(1_000, new RetryPolicy(3, List.of(Duration.ofMillis(10))));
    }

    /** {@code window}: how many deliveries a lane holds in memory at most. */
    private void start(int window, RetryPolicy retries) {
        start(window, 4L << 20, retries);
    }

    /** {@code windowBytes}: the body bytes a lane holds in memory at most. */
    private void start(int window, long windowBytes, RetryPolicy retries) {
        start(window, windowBytes, retries, 30_000);
    }

    /** {@code leaseMillis}: how long a lane's lease lasts; it is renewed a third of the way in. */
    private void start(int window, long windowBytes, RetryPolicy retries, long leaseMillis) {
        dispatcher = new Dispatcher(new DeliveryQueue(db), destinations, db.signals(), sender, retries,
                DeliveryMetrics.NONE, "node-test", 16, leaseMillis, window, windowBytes, Clock.systemUTC());
        dispatcher.start();
    }

    /** A lease renewed every 300 ms: the lane reads from its start that often, beside everything else it does. */
    private static final long RENEWING_OFTEN = 900;

    /** {@code rows} one-row transactions, row key {@code "row" + (i % distinctRows)}. */
    private List<String> append(int rows, int distinctRows) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            keys.add("row" + (i % distinctRows));
        }
        return append(keys);
    }

    /** One one-row transaction per key, in order; returns their event ids. */
    private List<String> append(List<String> rowKeys) {
        return append(rowKeys, 0);
    }

    /** As {@link #append(List)}, each event carrying {@code padding} more bytes. */
    private List<String> append(List<String> rowKeys, int padding) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < rowKeys.size(); i++) {
            Lsn commit = new Lsn(0x1000L + transactions++ * 0x100L);
            EventId id = EventId.of(1, commit, 0);
            ids.add(id.value());
            ChangeEvent e = ChangeEvent.row(id, "src_1", commit, 700, 0, Instant.EPOCH, "d", "public", "t", Operation.UPDATE,
                    JsonValue.NULL, JsonValue.objectBuilder().put("v", JsonValue.of(i)).put("pad", JsonValue.of("x".repeat(padding))).build(),
                    List.of(), "public.t[\"" + rowKeys.get(i) + "\"]");
            log.append("src_1", new Lsn(commit.value() + 0x10), List.of(EncodedEvent.of(e))).join();
        }
        return ids;
    }

    @Test
    void aHangingDestinationDelaysNeitherAnotherDestinationNorItsEvents() {
        destination("dst_hanging", null);
        destination("dst_healthy", null);
        sender.hanging.put("dst_hanging", new CountDownLatch(1));
        start();
        List<String> ids = append(300, 300);

        await().atMost(Duration.ofSeconds(30)).until(() -> sender.rowsSentTo("dst_healthy").size() == 300);
        assertThat(sender.rowsSentTo("dst_healthy")).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(sender.rowsSentTo("dst_hanging")).as("stuck at its own in-flight limit").hasSize(16);
    }

    @Test
    void aBusyRowBehindAnEventThatKeepsFailingHoldsBackOnlyItselfNotTheRestOfItsDestination() {
        destination("dst_1", null);
        start(40, new RetryPolicy(1_000, List.of(Duration.ofMillis(20)))); // a lane reads more only below 20 held in memory
        StuckRow stuck = appendStuckRow();

        sender.refused.remove(stuck.failing());
        stuck.arrivesWhole();
    }

    @Test
    void aBusyRowHeldBehindAnEventThatFailedForGoodHoldsBackOnlyItselfAndGoesOnInOrderOnceItIsRetriedByHand() {
        destination("dst_1", null); // holds a row on failure, the default
        start(40, new RetryPolicy(2, List.of(Duration.ofMillis(10))));
        StuckRow stuck = appendStuckRow();
        await("the head failed for good").atMost(Duration.ofSeconds(30))
                .until(() -> sender.rowsSentTo("dst_1").stream().filter(stuck.failing()::equals).count() == 2);

        sender.refused.remove(stuck.failing());
        new Redeliveries(db).retryFailed(stuck.failing(), "dst_1", false, System.currentTimeMillis());
        stuck.arrivesWhole();
    }

    /** A row's 62 events, the first refused, with 30 other rows' events among them; the others arrive, the row does not. */
    private StuckRow appendStuckRow() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 61; i++) {
            keys.add("hot");
        }
        for (int i = 0; i < 30; i++) {
            keys.add("other" + i);
        }
        keys.add("hot");
        String failing = EventId.of(1, new Lsn(0x1000L + transactions * 0x100L), 0).value(); // the next append's, refused before it is sent
        sender.refused.add(failing);
        assertThat(append(keys.subList(0, 1))).containsExactly(failing);
        List<String> hot = new ArrayList<>(List.of(failing));
        hot.addAll(append(keys.subList(1, 61)));
        List<String> others = append(keys.subList(61, 91));
        hot.addAll(append(keys.subList(91, 92)));

        await("the other rows, behind 60 events of a stuck row").atMost(Duration.ofSeconds(30))
                .until(() -> sender.rowsSentTo("dst_1").containsAll(others));
        assertThat(sender.rowsSentTo("dst_1").stream().filter(hot::contains).distinct().toList())
                .as("nothing of the stuck row but its failing head").containsExactly(failing);
        return new StuckRow(failing, hot);
    }

    private final class StuckRow {
        private final String failing;
        private final List<String> events;

        StuckRow(String failing, List<String> events) {
            this.failing = failing;
            this.events = events;
        }

        String failing() {
            return failing;
        }

        /** Once its head is delivered, the row's events arrive, each once, in commit order. */
        void arrivesWhole() {
            await("the stuck row, once its head is delivered").atMost(Duration.ofSeconds(30))
                    .until(() -> sender.rowsSentTo("dst_1").containsAll(events));
            List<String> sent = sender.rowsSentTo("dst_1").stream().filter(events::contains).toList();
            assertThat(sent.stream().distinct().toList()).as("the stuck row's events in commit order").containsExactlyElementsOf(events);
            assertThat(sent.subList(sent.lastIndexOf(failing) + 1, sent.size())).as("each after the head once").doesNotHaveDuplicates();
        }
    }

    /**
     * Many rows, a few of them busy, events that fail now and then and are retried, appended while the
     * lane sends, through a window so small that the lane keeps letting go of events behind failing
     * heads and reading them again (and, renewing its lease every 300 ms, from its start): every
     * event arrives, and each row's events arrive in commit order.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {11, 12})
    void underFailuresAndAFullWindowEveryRowStillArrivesWholeAndInCommitOrder(long seed) {
        destination("dst_1", 4);
        start(24, 4L << 20, new RetryPolicy(1_000, List.of(Duration.ofMillis(20), Duration.ofMillis(50))), RENEWING_OFTEN);
        everyRowArrivesWholeAndInCommitOrder(new java.util.Random(seed), () -> { });
    }

    /** The same with events that fail for good (their rows held) and are replayed by hand, again and again, while the rest goes on. */
    @Test
    void eventsThatFailForGoodAndAreReplayedByHandAgainAndAgainStillLeaveEveryRowInCommitOrder() {
        destination("dst_1", 4); // holds a row on failure, the default
        start(24, 4L << 20, new RetryPolicy(2, List.of(Duration.ofMillis(10))), RENEWING_OFTEN);
        Redeliveries redeliveries = new Redeliveries(db);
        everyRowArrivesWholeAndInCommitOrder(new java.util.Random(5), () -> redeliveries.replayFailed("dst_1", false, System.currentTimeMillis()));
    }

    /** Appends 1,500 events in 50-event steps, about a fifth of them refused one to four times; {@code operator} runs between steps and while waiting. */
    private void everyRowArrivesWholeAndInCommitOrder(java.util.Random random, Runnable operator) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            keys.add(random.nextInt(3) == 0 ? "hot" + random.nextInt(3) : "row" + random.nextInt(60));
        }
        Map<String, List<String>> expected = new java.util.LinkedHashMap<>();
        for (int from = 0; from < keys.size(); from += 50) {
            List<String> chunk = keys.subList(from, from + 50);
            for (int i = 0; i < chunk.size(); i++) {
                String id = EventId.of(1, new Lsn(0x1000L + (transactions + i) * 0x100L), 0).value();
                int roll = random.nextInt(100);
                if (roll < 20) {
                    sender.failuresLeft.put(id, new AtomicInteger(roll < 5 ? 4 : 1));
                }
                expected.computeIfAbsent(chunk.get(i), k -> new ArrayList<>()).add(id);
            }
            append(chunk);
            operator.run();
        }
        await().atMost(Duration.ofSeconds(50)).pollInterval(Duration.ofMillis(50)).until(() -> {
            operator.run();
            return new java.util.HashSet<>(sender.delivered).size() == keys.size();
        });
        Map<String, String> rowOf = new java.util.HashMap<>();
        expected.forEach((row, ids) -> ids.forEach(id -> rowOf.put(id, row)));
        Map<String, List<String>> arrived = new java.util.LinkedHashMap<>();
        for (String id : sender.delivered) {
            arrived.computeIfAbsent(rowOf.get(id), k -> new ArrayList<>()).add(id);
        }
        assertThat(arrived).as("each row's events as the endpoint took them").isEqualTo(expected);
    }

    @Test
    void anEndpointThatAnswers429WithRetryAfterGetsNoRequestForAnyRowUntilThen() {
        destination("dst_1", 1); // one request at a time, so the next one waits for the 429
        String first = EventId.of(1, new Lsn(0x1000L + transactions * 0x100L), 0).value();
        sender.throttled.put(first, Duration.ofSeconds(2));
        start();
        List<String> ids = append(3, 3); // three rows: the other two do not depend on the first

        await().atMost(Duration.ofSeconds(20)).until(() -> sender.rowsSentTo("dst_1").containsAll(ids));
        List<String> sent = sender.rowsSentTo("dst_1");
        assertThat(sent.getFirst()).isEqualTo(first);
        long quiet = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(sender.sentAt.get(1) - sender.sentAt.get(0));
        assertThat(quiet).as("ms from the 429 to the next request, of another row").isGreaterThanOrEqualTo(1_900);
        assertThat(sent).as("the throttled event again, once the wait is over").contains(first, org.assertj.core.data.Index.atIndex(0))
                .filteredOn(first::equals).hasSize(2);
    }

    @Test
    void aLargeEventIsReadAndSentWhileTheLaneHoldsEventsThatKeepFailing() {
        destination("dst_1", null);
        List<String> failing = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            failing.add(EventId.of(1, new Lsn(0x1000L + (transactions + i) * 0x100L), 0).value());
        }
        sender.refused.addAll(failing);
        // 10 failing events hold about 3 KB of a 10 KB window: less than half, so the lane reads on, but
        // not room for the next 8 KB event. Each read must take that one, not stop in front of it again
        start(1_000, 10_000, new RetryPolicy(1_000, List.of(Duration.ofMillis(20))));
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            keys.add("failing" + i);
        }
        assertThat(append(keys)).containsExactlyElementsOf(failing);
        String large = append(List.of("large"), 8_000).getFirst();

        await().atMost(Duration.ofSeconds(20)).until(() -> sender.rowsSentTo("dst_1").contains(large));
    }

    @Test
    void aDestinationsOwnInFlightLimitIsHonoured() {
        destination("dst_narrow", 2);
        sender.hanging.put("dst_narrow", new CountDownLatch(1));
        start();
        append(50, 50);
        await().atMost(Duration.ofSeconds(20)).until(() -> sender.rowsSentTo("dst_narrow").size() == 2);
        sender.hanging.remove("dst_narrow").countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> sender.rowsSentTo("dst_narrow").size() == 50);
        assertThat(sender.mostInFlight.get("dst_narrow")).isEqualTo(2);
    }

    @Test
    void eventsOfOneRowAreSentOneAtATimeInCommitOrder() {
        destination("dst_1", null);
        start();
        List<String> ids = append(200, 3);
        await().atMost(Duration.ofSeconds(30)).until(() -> sender.rowsSentTo("dst_1").size() == 200);
        List<String> sent = sender.rowsSentTo("dst_1");
        for (int row = 0; row < 3; row++) {
            int r = row;
            List<String> expected = new ArrayList<>();
            for (int i = r; i < 200; i += 3) {
                expected.add(ids.get(i));
            }
            assertThat(sent.stream().filter(expected::contains).toList()).as("row " + r).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void whenTheNodeHoldingALaneStopsAnotherNodeTakesItOverAndDeliversTheRest() throws InterruptedException {
        destination("dst_1", null);
        sender.hanging.put("dst_1", new CountDownLatch(1));
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.rowsSentTo("dst_1").isEmpty() && laneHeldBy("node-test"));
        ScriptedSender second = new ScriptedSender();
        try (Database otherNode = Database.openEmbedded(dataDir)) {
            Dispatcher other = new Dispatcher(new DeliveryQueue(otherNode), new Destinations(otherNode, SecretBox.load(Optional.empty(), dataDir)),
                    otherNode.signals(), second, new RetryPolicy(3, java.util.List.of(Duration.ofMillis(10))),
                    DeliveryMetrics.NONE, "node-other", 16, 3_000, 1_000, 4L << 20, Clock.systemUTC());
            other.start();
            List<String> ids = append(40, 40);
            await().atMost(Duration.ofSeconds(10)).until(() -> sender.rowsSentTo("dst_1").size() == 16);
            assertThat(second.sent).as("the lane is held by the first node").isEmpty();

            // stopped while its 16 requests hang, so it sends nothing more once they come back: it records
            // them and lets the lease go
            Dispatcher first = dispatcher;
            dispatcher = null;
            Thread stopping = Thread.ofVirtual().start(first::stop);
            await().pollDelay(Duration.ofMillis(300)).until(stopping::isAlive);
            sender.hanging.remove("dst_1").countDown();
            stopping.join();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                java.util.Set<String> all = new java.util.HashSet<>(sender.rowsSentTo("dst_1"));
                all.addAll(second.rowsSentTo("dst_1"));
                return all.containsAll(ids);
            });
            assertThat(second.rowsSentTo("dst_1")).isNotEmpty();
            other.stop();
        }
    }

    private boolean laneHeldBy(String owner) {
        return db.read(c -> {
            var rs = c.createStatement().executeQuery("SELECT owner FROM lanes WHERE destination_id = 'dst_1'");
            return rs.next() && rs.getString(1).equals(owner);
        });
    }

    /**
     * A delivery made due again with no signal (by a node that does not share this one's signals,
     * or whose signal was lost) is still found: a lane reads from its start whenever it renews its lease.
     */
    @Test
    void aDeliveryMadeDueAgainWithoutASignalIsSentAtTheLanesNextLeaseRenewal() {
        destination("dst_1", null);
        start(1_000, 4L << 20, new RetryPolicy(3, List.of(Duration.ofMillis(10))), 1_500);
        List<String> ids = append(3, 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.rowsSentTo("dst_1").size() == 3);

        db.update("UPDATE deliveries SET status = 'PENDING' WHERE event_seq = (SELECT seq FROM events WHERE id = ?)", ids.getFirst());
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.rowsSentTo("dst_1").size() == 4);
        assertThat(sender.rowsSentTo("dst_1").getLast()).isEqualTo(ids.getFirst());
    }

    /**
     * Setting a destination active makes what waited for a retry due now. A lane that kept running
     * meanwhile (the destination paused and resumed before the lane was stopped) sends it now too,
     * not at the retry time it had in memory.
     */
    @Test
    void aRetryWaitingInARunningLaneGoesAtOnceWhenItsDestinationIsSetActive() {
        destination("dst_1", null);
        CountDownLatch firstAttempt = new CountDownLatch(1);
        sender.hanging.put("dst_1", firstAttempt);
        start(1_000, new RetryPolicy(5, List.of(Duration.ofHours(1))));
        String id = append(1, 1).getFirst();
        sender.refused.add(id);
        firstAttempt.countDown();
        await("the first attempt failed and its retry is an hour away").atMost(Duration.ofSeconds(10))
                .until(() -> db.read(c -> {
                    var rs = c.createStatement().executeQuery("SELECT attempts FROM deliveries");
                    return rs.next() ? rs.getInt(1) : 0;
                }) == 1);

        sender.refused.remove(id);
        destinations.setStatus("dst_1", Destinations.Status.ACTIVE, System.currentTimeMillis());
        // within the lane's first lease renewal (10 s), which would find it too
        await().atMost(Duration.ofSeconds(5)).until(() -> sender.delivered.contains(id));
        assertThat(sender.rowsSentTo("dst_1")).containsExactly(id, id);
    }

    @Test
    void anEventAppendedToAnIdleLaneIsSentWithoutWaitingForAPoll() {
        destination("dst_1", null);
        start();
        append(1, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.rowsSentTo("dst_1").size() == 1);
        long before = System.nanoTime();
        append(1, 1);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> sender.rowsSentTo("dst_1").size() == 2);
        // not a latency assertion (the benchmark measures that): a lane that polled would need its poll period
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
    }
}
