package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.json.JsonValue;
import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Lease;
import dev.streamhook.store.DeliveryQueue.Result;
import dev.streamhook.store.DeliveryQueue.Status;
import dev.streamhook.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The event log, lanes and their leases, on each store backend: SQLite and PostgreSQL. */
@Timeout(60)
class DeliveryQueueIT {

    private static final long LEASE = 60_000;
    @TempDir
    Path dataDir;
    private final List<Database> opened = new ArrayList<>();
    private StoreBackend.Location location;
    private Database db;
    private EventLog log;
    private DeliveryQueue queue;
    private Sources sources;
    private String account;

    private void open(StoreBackend backend) {
        location = backend.fresh(dataDir);
        db = node();
        SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
        log = new EventLog(db, new Usage(db, java.time.Clock.systemUTC(), Usage.UNLIMITED));
        queue = new DeliveryQueue(db);
        sources = new Sources(db, secrets);
        account = new Accounts(db).create("log@example.com").orElseThrow().account().id();
        sources.insert(new Sources.Source("src_1", account, "s", "postgresql", "postgres://u:pw@h/d", "d", List.of("public.t"),
                "slot", "pub", Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
        new Destinations(db, secrets).upsert(new Destinations.Destination("dst_1", "src_1", "http://127.0.0.1:1/x", "whsec_12345678",
                null, Map.of(), null, 0));
    }

    /** Another handle on the same store, as a second node would have. */
    private Database node() {
        Database d = location.open();
        opened.add(d);
        return d;
    }

    @AfterEach
    void close() {
        opened.forEach(Database::close);
    }

    private static EncodedEvent event(Lsn commit, int position, String key) {
        return EncodedEvent.of(ChangeEvent.row(EventId.of(1, commit, position), "src_1", commit, 700, position,
                Instant.parse("2026-01-01T00:00:00Z"), "d", "public", "t", Operation.INSERT, JsonValue.NULL,
                JsonValue.objectBuilder().put("id", JsonValue.of(key)).build(), List.of(), "public.t[\"" + key + "\"]"));
    }

    private static Attempt ok() {
        return new Attempt(0, 1, 200, null, null);
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aTransactionSentAgainAfterACrashIsStoredAndQueuedOnce(StoreBackend backend) {
        open(backend);
        Lsn commit = Lsn.parse("0/100");
        List<EncodedEvent> tx = List.of(event(commit, 0, "a"), event(commit, 1, "b"));
        assertThat(log.append("src_1", Lsn.parse("0/180"), tx).join()).isEqualTo(2);
        assertThat(log.append("src_1", Lsn.parse("0/180"), tx).join()).isZero();

        assertThat(queue.pending("dst_1", 0, 10)).hasSize(2);
        assertThat(sources.find(account, "src_1").orElseThrow().eventsCaptured()).isEqualTo(2);
        assertThat(sources.find(account, "src_1").orElseThrow().checkpoint()).isEqualTo(Lsn.parse("0/180"));
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void transactionsCapturedWhileTheWriterIsBusyAreStoredTogetherInOneCommit(StoreBackend backend) throws Exception {
        open(backend);
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.CompletableFuture<Object> busy = db.submit(c -> {
            writing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        writing.await();
        long commits = db.commits();
        long units = db.committedUnits();
        List<java.util.concurrent.CompletableFuture<Integer>> appends = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Lsn commit = Lsn.parse("0/" + (i * 100));
            appends.add(log.append("src_1", Lsn.parse("0/" + (i * 100 + 80)), List.of(event(commit, 0, "a"), event(commit, 1, "k" + i))));
        }
        release.countDown();
        busy.join();
        assertThat(appends).allSatisfy(a -> assertThat(a.join()).isEqualTo(2));

        assertThat(db.commits() - commits).as("the busy unit's commit, then one for the three transactions").isEqualTo(2);
        assertThat(db.committedUnits() - units).as("the three appends joined into one unit").isEqualTo(2);
        assertThat(queue.pending("dst_1", 0, 10)).hasSize(6);
        assertThat(sources.find(account, "src_1").orElseThrow().checkpoint()).isEqualTo(Lsn.parse("0/380"));
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void anAppendOfASessionWhoseEarlierAppendFailedWritesNothing(StoreBackend backend) {
        open(backend);
        java.util.concurrent.CompletableFuture<Integer> refused =
                log.append("src_1", Lsn.parse("0/180"), List.of(event(Lsn.parse("0/100"), 0, "a")), () -> true);
        assertThat(refused).failsWithin(java.time.Duration.ofSeconds(10));
        assertThat(queue.pending("dst_1", 0, 10)).isEmpty();
        assertThat(sources.find(account, "src_1").orElseThrow().eventsCaptured()).isZero();
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aLaneReadsItsPendingDeliveriesInEventOrderAndNotTheSettledOnes(StoreBackend backend) {
        open(backend);
        log.append("src_1", Lsn.parse("0/110"), List.of(event(Lsn.parse("0/100"), 0, "a"))).join();
        log.append("src_1", Lsn.parse("0/210"), List.of(event(Lsn.parse("0/200"), 0, "a"), event(Lsn.parse("0/200"), 1, "b"))).join();
        Lease lease = queue.acquire("dst_1", "node-a", 1_000, LEASE).orElseThrow();

        List<DeliveryQueue.Pending> pending = queue.pending("dst_1", 0, 10);
        assertThat(pending).extracting(DeliveryQueue.Pending::eventId).containsExactly(
                EventId.of(1, Lsn.parse("0/100"), 0).value(), EventId.of(1, Lsn.parse("0/200"), 0).value(),
                EventId.of(1, Lsn.parse("0/200"), 1).value());
        assertThat(queue.record(lease, List.of(new Result(pending.get(0).deliveryId(), 1, ok(), Status.SUCCEEDED, 1_000)), 1_000).join()).isTrue();

        assertThat(queue.pending("dst_1", 0, 10)).extracting(DeliveryQueue.Pending::deliveryId)
                .containsExactly(pending.get(1).deliveryId(), pending.get(2).deliveryId());
        assertThat(queue.pending("dst_1", pending.get(1).eventSeq(), 10)).extracting(DeliveryQueue.Pending::deliveryId)
                .containsExactly(pending.get(2).deliveryId());
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void theAttemptLogListsEveryAttemptInOrderAcrossASuccessAReplayAndTheNextSuccess(StoreBackend backend) {
        open(backend);
        log.append("src_1", Lsn.parse("0/110"), List.of(event(Lsn.parse("0/100"), 0, "a"))).join();
        String eventId = EventId.of(1, Lsn.parse("0/100"), 0).value();
        Lease lease = queue.acquire("dst_1", "node-a", 1_000, LEASE).orElseThrow();
        long delivery = queue.pending("dst_1", 0, 10).getFirst().deliveryId();
        queue.record(lease, List.of(new Result(delivery, 1, new Attempt(1_000, 7, 503, null, "busy"), Status.PENDING, 1_100)), 1_000).join();
        queue.record(lease, List.of(new Result(delivery, 2, new Attempt(1_100, 9, 200, null, "ok"), Status.SUCCEEDED, 1_100)), 1_100).join();
        EventQueries events = new EventQueries(db);
        assertThat(events.deliveries(eventId).getFirst().attemptLog())
                .extracting(EventQueries.AttemptRow::attempt, EventQueries.AttemptRow::startedAt, EventQueries.AttemptRow::durationMs,
                        EventQueries.AttemptRow::statusCode, EventQueries.AttemptRow::responseBody)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 1_000L, 7L, 503, "busy"),
                        org.assertj.core.groups.Tuple.tuple(2, 1_100L, 9L, 200, "ok"));

        new Redeliveries(db).replayRange("dst_1", "src_1", null, 0, Long.MAX_VALUE, 2_000);
        queue.record(lease, List.of(new Result(delivery, 3, new Attempt(2_000, 5, 204, null, ""), Status.SUCCEEDED, 2_000)), 1_200).join();
        assertThat(events.deliveries(eventId).getFirst().attemptLog())
                .extracting(EventQueries.AttemptRow::attempt, EventQueries.AttemptRow::statusCode)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 503), org.assertj.core.groups.Tuple.tuple(2, 200),
                        org.assertj.core.groups.Tuple.tuple(3, 204));
    }

    /** Appends one transaction of three events (rows a, b, c) and reads their pending deliveries to dst_1, in order. */
    private List<DeliveryQueue.Pending> threeEventsOfOneTransaction() {
        Lsn commit = Lsn.parse("0/100");
        log.append("src_1", Lsn.parse("0/110"), List.of(event(commit, 0, "a"), event(commit, 1, "b"), event(commit, 2, "c"))).join();
        return queue.pending("dst_1", 0, 10);
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aGroupOfResultsLandsEachOnItsOwnDeliveryAndOnlyTheFailedAttemptsGetRowsOfTheirOwn(StoreBackend backend) {
        open(backend);
        List<DeliveryQueue.Pending> p = threeEventsOfOneTransaction();
        Lease lease = queue.acquire("dst_1", "node-a", 1_000, LEASE).orElseThrow();
        long gone = p.get(2).deliveryId() + 1_000; // a delivery deleted meanwhile (its destination was)

        assertThat(queue.record(lease, List.of(
                new Result(p.get(0).deliveryId(), 1, new Attempt(1_000, 7, 201, null, "made"), Status.SUCCEEDED, 1_000),
                new Result(p.get(1).deliveryId(), 1, new Attempt(1_000, 30_000, null, "timed out", null), Status.PENDING, 61_000),
                new Result(gone, 1, failure(), Status.PENDING, 61_000),
                new Result(p.get(2).deliveryId(), 4, new Attempt(1_000, 3, 500, null, "boom"), Status.FAILED, 1_000)), 1_000).join())
                .isTrue();

        EventQueries events = new EventQueries(db);
        EventQueries.DeliveryRow a = events.deliveries(p.get(0).eventId()).getFirst();
        assertThat(a.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(a.attemptLog()).extracting(EventQueries.AttemptRow::attempt, EventQueries.AttemptRow::statusCode,
                EventQueries.AttemptRow::durationMs, EventQueries.AttemptRow::responseBody)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 201, 7L, "made"));
        EventQueries.DeliveryRow b = events.deliveries(p.get(1).eventId()).getFirst();
        assertThat(b.status()).isEqualTo(Status.PENDING);
        assertThat(b.nextAttemptAt()).isEqualTo(61_000);
        assertThat(b.attemptLog()).extracting(EventQueries.AttemptRow::statusCode, EventQueries.AttemptRow::error)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(null, "timed out"));
        EventQueries.DeliveryRow c = events.deliveries(p.get(2).eventId()).getFirst();
        assertThat(c.status()).isEqualTo(Status.FAILED);
        assertThat(c.attempts()).isEqualTo(4);
        assertThat(c.attemptLog()).extracting(EventQueries.AttemptRow::statusCode).containsExactly(500);
        assertThat(queue.pending("dst_1", 0, 10)).extracting(DeliveryQueue.Pending::deliveryId).containsExactly(p.get(1).deliveryId());
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aRetryOfAnAttemptStartedBeforeItsDestinationWasSetActiveIsDueFromThenNotAfterItsBackoff(StoreBackend backend) {
        open(backend);
        List<DeliveryQueue.Pending> p = threeEventsOfOneTransaction();
        Lease lease = queue.acquire("dst_1", "node-a", 1_000, LEASE).orElseThrow();
        new Destinations(db, SecretBox.load(Optional.empty(), dataDir)).setStatus("dst_1", Destinations.Status.ACTIVE, 5_000);

        queue.record(lease, List.of(
                new Result(p.get(0).deliveryId(), 1, new Attempt(4_000, 2_000, 500, null, "no"), Status.PENDING, 3_606_000),
                new Result(p.get(1).deliveryId(), 1, new Attempt(5_500, 10, 500, null, "no"), Status.PENDING, 3_605_510),
                new Result(p.get(2).deliveryId(), 1, new Attempt(4_000, 2_000, 429, null, "later", DeliveryQueue.ErrorKind.STATUS,
                        java.time.Duration.ofHours(1)), Status.PENDING, 3_606_000)), 6_000).join();

        assertThat(queue.states("dst_1", p.stream().map(DeliveryQueue.Pending::deliveryId).toList()))
                .extracting(DeliveryQueue.State::deliveryId, DeliveryQueue.State::nextAttemptAt)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(p.get(0).deliveryId(), 5_000L),
                        org.assertj.core.groups.Tuple.tuple(p.get(1).deliveryId(), 3_605_510L),
                        org.assertj.core.groups.Tuple.tuple(p.get(2).deliveryId(), 3_606_000L)); // the endpoint asked for an hour
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void twoResultsOfOneDeliveryInOneGroupLandInTheirOrder(StoreBackend backend) {
        open(backend);
        log.append("src_1", Lsn.parse("0/110"), List.of(event(Lsn.parse("0/100"), 0, "a"))).join();
        Lease lease = queue.acquire("dst_1", "node-a", 1_000, LEASE).orElseThrow();
        DeliveryQueue.Pending p = queue.pending("dst_1", 0, 10).getFirst();

        queue.record(lease, List.of(new Result(p.deliveryId(), 1, new Attempt(1_000, 2, 503, null, "busy"), Status.PENDING, 1_000),
                new Result(p.deliveryId(), 2, new Attempt(1_010, 2, 200, null, "ok"), Status.SUCCEEDED, 1_010)), 1_020).join();

        EventQueries.DeliveryRow row = new EventQueries(db).deliveries(p.eventId()).getFirst();
        assertThat(row.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(row.attemptLog()).extracting(EventQueries.AttemptRow::attempt, EventQueries.AttemptRow::statusCode)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 503), org.assertj.core.groups.Tuple.tuple(2, 200));
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void ofSeveralNodesClaimingALaneAtOnceExactlyOneGetsIt(StoreBackend backend) throws Exception {
        open(backend);
        int nodes = 4;
        List<DeliveryQueue> queues = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            queues.add(new DeliveryQueue(node()));
        }
        for (int round = 0; round < 5; round++) {
            long now = 1_000_000L * (round + 1); // each round starts after the last round's lease ran out
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(nodes);
            List<Future<Optional<Lease>>> claims = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                DeliveryQueue q = queues.get(i);
                String owner = "node-" + i;
                claims.add(pool.submit(() -> {
                    start.await();
                    return q.acquire("dst_1", owner, now, 1_000);
                }));
            }
            start.countDown();
            List<Lease> won = new ArrayList<>();
            for (Future<Optional<Lease>> c : claims) {
                c.get().ifPresent(won::add);
            }
            pool.shutdown();
            assertThat(won).as("round " + round).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aResultFromAnExpiredLeaseIsRefusedAndChangesNothing(StoreBackend backend) {
        open(backend);
        log.append("src_1", Lsn.parse("0/110"), List.of(event(Lsn.parse("0/100"), 0, "a"))).join();
        DeliveryQueue other = new DeliveryQueue(node());
        Lease stale = queue.acquire("dst_1", "node-a", 1_000, 100).orElseThrow();
        long delivery = queue.pending("dst_1", 0, 10).get(0).deliveryId();

        assertThat(other.acquire("dst_1", "node-b", 1_050, 100)).as("taken while still held").isEmpty();
        Lease current = other.acquire("dst_1", "node-b", 1_200, LEASE).orElseThrow();
        assertThat(current.token()).isGreaterThan(stale.token());

        assertThat(queue.record(stale, List.of(new Result(delivery, 1, ok(), Status.SUCCEEDED, 1_200)), 1_200).join()).isFalse();
        assertThat(queue.renew(stale, 1_200, LEASE)).isEmpty();
        assertThat(queue.pending("dst_1", 0, 10)).extracting(DeliveryQueue.Pending::attempts).containsExactly(0);

        assertThat(other.record(current, List.of(new Result(delivery, 1, ok(), Status.SUCCEEDED, 1_200)), 1_200).join()).isTrue();
        assertThat(queue.pending("dst_1", 0, 10)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void theTimeAnEndpointAskedToBeLeftAloneUntilReachesTheLanesNextHolderUntilItIsSetActive(StoreBackend backend) {
        open(backend);
        log.append("src_1", Lsn.parse("0/110"), List.of(event(Lsn.parse("0/100"), 0, "a"))).join();
        Lease first = queue.acquire("dst_1", "node-a", 1_000, 100).orElseThrow();
        assertThat(first.quietUntil()).isZero();
        long delivery = queue.pending("dst_1", 0, 10).get(0).deliveryId();
        Attempt asked = new Attempt(1_000, 3, 429, null, "slow down", DeliveryQueue.ErrorKind.STATUS, java.time.Duration.ofSeconds(60));
        assertThat(queue.record(first, List.of(new Result(delivery, 1, asked, Status.PENDING, 61_000)), 61_000, 1_010).join()).isTrue();

        Lease next = new DeliveryQueue(node()).acquire("dst_1", "node-b", 1_200, LEASE).orElseThrow();
        assertThat(next.quietUntil()).isEqualTo(61_000);
        assertThat(queue.renew(next, 1_300, LEASE).orElseThrow().quietUntil()).isEqualTo(61_000);

        new Destinations(db, SecretBox.load(Optional.empty(), dataDir)).setStatus("dst_1", Destinations.Status.ACTIVE, 1_400);
        Lease reopened = queue.acquire("dst_1", "node-b", 1_500, LEASE).orElseThrow();
        assertThat(reopened.quietUntil()).as("set active: send now").isZero();
        assertThat(queue.quietUntil("dst_1")).isZero();

        assertThat(queue.record(reopened, List.of(new Result(delivery, 2, asked, Status.PENDING, 61_000)), 61_000, 1_600).join()).isTrue();
        assertThat(queue.quietUntil("dst_1")).as("an answer to an attempt from before it was set active, recorded late").isZero();
        Attempt askedAgain = new Attempt(1_700, 3, 503, null, "busy", DeliveryQueue.ErrorKind.STATUS, java.time.Duration.ofSeconds(30));
        assertThat(queue.record(reopened, List.of(new Result(delivery, 3, askedAgain, Status.PENDING, 31_700)), 31_700, 1_710).join()).isTrue();
        assertThat(queue.quietUntil("dst_1")).isEqualTo(31_700);
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aLeaseThatRanOutIsRefusedEvenWhenNobodyTookTheLane(StoreBackend backend) {
        open(backend);
        log.append("src_1", Lsn.parse("0/110"), List.of(event(Lsn.parse("0/100"), 0, "a"))).join();
        Lease lease = queue.acquire("dst_1", "node-a", 1_000, 100).orElseThrow();
        long delivery = queue.pending("dst_1", 0, 10).get(0).deliveryId();
        assertThat(queue.record(lease, List.of(new Result(delivery, 1, ok(), Status.SUCCEEDED, 2_000)), 2_000).join()).isFalse();
        assertThat(queue.pending("dst_1", 0, 10)).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aRestartedNodeTakesItsLaneBackAtOnceAndItsFormerSelfIsFencedOut(StoreBackend backend) {
        open(backend);
        Lease before = queue.acquire("dst_1", "node-a", 1_000, LEASE).orElseThrow();
        Lease after = new DeliveryQueue(node()).acquire("dst_1", "node-a", 2_000, LEASE).orElseThrow();
        assertThat(after.token()).isGreaterThan(before.token());
        assertThat(queue.renew(before, 2_000, LEASE)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aFailedDeliveryRetriedByHandIsPendingAgainAndItsLaneIsTold(StoreBackend backend) {
        open(backend);
        List<String> told = new ArrayList<>();
        db.signals().onDeliveriesReopened(told::add);
        log.append("src_1", Lsn.parse("0/110"), List.of(event(Lsn.parse("0/100"), 0, "a"))).join();
        Lease lease = queue.acquire("dst_1", "node-a", 1_000, LEASE).orElseThrow();
        DeliveryQueue.Pending p = queue.pending("dst_1", 0, 10).get(0);
        queue.record(lease, List.of(new Result(p.deliveryId(), 1, new Attempt(0, 1, 500, null, "no"), Status.FAILED, 1_000)), 1_000).join();
        assertThat(queue.pending("dst_1", 0, 10)).isEmpty();

        assertThat(new Redeliveries(db).retryFailed(p.eventId(), null, false, 5_000).retried()).isEqualTo(1);
        assertThat(queue.pending("dst_1", 0, 10)).extracting(DeliveryQueue.Pending::attempts).containsExactly(1);
        assertThat(told).containsExactly("dst_1");
    }

    private static Attempt failure() {
        return new Attempt(0, 1, 500, null, "no");
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aHoldingLaneReadsItsFailedDeliveriesMarkedInEventOrderWithThePendingOnes(StoreBackend backend) {
        open(backend);
        log.append("src_1", Lsn.parse("0/110"), List.of(event(Lsn.parse("0/100"), 0, "a"))).join();
        log.append("src_1", Lsn.parse("0/210"), List.of(event(Lsn.parse("0/200"), 0, "a"), event(Lsn.parse("0/200"), 1, "b"))).join();
        Lease lease = queue.acquire("dst_1", "node-a", 1_000, LEASE).orElseThrow();
        List<DeliveryQueue.Pending> all = queue.pending("dst_1", 0, 10);
        queue.record(lease, List.of(new Result(all.get(0).deliveryId(), 1, failure(), Status.FAILED, 1_000)), 1_000).join();

        assertThat(queue.pending("dst_1", 0, 10)).as("without failed").hasSize(2);
        assertThat(queue.pending("dst_1", 0, 10, true)).extracting(DeliveryQueue.Pending::deliveryId, DeliveryQueue.Pending::failed)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(all.get(0).deliveryId(), true),
                        org.assertj.core.groups.Tuple.tuple(all.get(1).deliveryId(), false),
                        org.assertj.core.groups.Tuple.tuple(all.get(2).deliveryId(), false));
        assertThat(queue.pending("dst_1", 0, 2, true)).as("a page of 2").hasSize(2);
        assertThat(queue.states("dst_1", List.of(all.get(0).deliveryId()))).extracting(DeliveryQueue.State::status).containsExactly(Status.FAILED);
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aRetryThatWouldSendOlderStateAfterANewerDeliveredEventIsRefusedUnlessForced(StoreBackend backend) {
        open(backend);
        log.append("src_1", Lsn.parse("0/110"), List.of(event(Lsn.parse("0/100"), 0, "a"))).join();
        log.append("src_1", Lsn.parse("0/210"), List.of(event(Lsn.parse("0/200"), 0, "a"))).join();
        Lease lease = queue.acquire("dst_1", "node-a", 1_000, LEASE).orElseThrow();
        List<DeliveryQueue.Pending> all = queue.pending("dst_1", 0, 10);
        queue.record(lease, List.of(new Result(all.get(0).deliveryId(), 1, failure(), Status.FAILED, 1_000),
                new Result(all.get(1).deliveryId(), 1, ok(), Status.SUCCEEDED, 1_000)), 1_000).join();
        Redeliveries redeliveries = new Redeliveries(db);

        Redeliveries.Retried refused = redeliveries.retryFailed(all.get(0).eventId(), null, false, 2_000);
        assertThat(refused.retried()).isZero();
        assertThat(refused.stale()).containsExactly(new Redeliveries.Stale("dst_1", all.get(1).eventId()));
        assertThat(redeliveries.replayFailed("dst_1", false, 2_000)).isEqualTo(new Redeliveries.Replayed(0, 1));
        assertThat(queue.pending("dst_1", 0, 10)).isEmpty();

        assertThat(redeliveries.retryFailed(all.get(0).eventId(), "dst_1", true, 2_000).retried()).isEqualTo(1);
        assertThat(queue.pending("dst_1", 0, 10)).extracting(DeliveryQueue.Pending::deliveryId).containsExactly(all.get(0).deliveryId());
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aSkippedFailedDeliveryIsNeitherPendingNorFailedAndAReplayOfATimeRangeReopensItAndCreatesMissingOnes(StoreBackend backend) {
        open(backend);
        log.append("src_1", Lsn.parse("0/110"), List.of(event(Lsn.parse("0/100"), 0, "a"))).join();
        Lease lease = queue.acquire("dst_1", "node-a", 1_000, LEASE).orElseThrow();
        DeliveryQueue.Pending p = queue.pending("dst_1", 0, 10).get(0);
        queue.record(lease, List.of(new Result(p.deliveryId(), 1, failure(), Status.FAILED, 1_000)), 1_000).join();
        Redeliveries redeliveries = new Redeliveries(db);
        assertThat(redeliveries.skipFailed(p.eventId(), null)).isEqualTo(1);
        assertThat(queue.pending("dst_1", 0, 10, true)).isEmpty();
        assertThat(redeliveries.skipFailed(p.eventId(), null)).isZero();

        // a destination created after the event has no delivery of it; the replay creates one
        new Destinations(db, SecretBox.load(Optional.empty(), dataDir)).upsert(new Destinations.Destination("dst_2", "src_1",
                "http://127.0.0.1:1/y", null, null, Map.of(), null, 0));
        long from = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        assertThat(redeliveries.replayRange("dst_1", "src_1", null, from, from + 1, 5_000).queued()).isEqualTo(1);
        assertThat(redeliveries.replayRange("dst_2", "src_1", "DELETE", from, from + 1, 5_000).queued()).as("an operation it does not take").isZero();
        assertThat(redeliveries.replayRange("dst_2", "src_1", null, from + 1, from + 2, 5_000).queued()).as("outside the range").isZero();
        assertThat(redeliveries.replayRange("dst_2", "src_1", null, from, from + 1, 5_000).queued()).isEqualTo(1);
        assertThat(queue.pending("dst_1", 0, 10)).extracting(DeliveryQueue.Pending::eventId).containsExactly(p.eventId());
        assertThat(queue.pending("dst_2", 0, 10)).extracting(DeliveryQueue.Pending::eventId).containsExactly(p.eventId());
    }
}
