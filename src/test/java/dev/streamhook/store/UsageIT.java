package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.json.JsonValue;
import dev.streamhook.store.DeliveryQueue.Status;
import dev.streamhook.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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

/** The free plan in the store, on each backend: events over the monthly limit are held, then released in order. */
@Timeout(60)
class UsageIT {

    /** A clock the test moves, to cross a month boundary without waiting for one. */
    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(String instant) {
            now = Instant.parse(instant);
        }

        void set(String instant) {
            now = Instant.parse(instant);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @TempDir
    Path dataDir;
    private final List<Database> opened = new ArrayList<>();
    private StoreBackend.Location location;
    private Database db;
    private DeliveryQueue queue;
    private EventQueries queries;
    private String account;
    private long nextLsn = 0x100;
    private final TestClock clock = new TestClock("2026-11-15T12:00:00Z");

    private void open(StoreBackend backend) {
        open(backend.fresh(dataDir));
    }

    private void open(StoreBackend.Location where) {
        location = where;
        db = node();
        SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
        queue = new DeliveryQueue(db);
        queries = new EventQueries(db);
        account = new Accounts(db).create("plan@example.com").orElseThrow().account().id();
        Sources sources = new Sources(db, secrets);
        Destinations destinations = new Destinations(db, secrets);
        for (String source : List.of("src_1", "src_2")) {
            sources.insert(new Sources.Source(source, account, source, "postgresql", "postgres://u:pw@h/d", "d", List.of("public.t"),
                    "slot_" + source, "pub_" + source, Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
            destinations.upsert(new Destinations.Destination("dst_" + source.substring(4), source, "http://127.0.0.1:1/x",
                    "whsec_12345678", null, Map.of(), null, 0));
        }
    }

    private Database node() {
        Database d = location.open();
        opened.add(d);
        return d;
    }

    @AfterEach
    void close() {
        opened.forEach(Database::close);
    }

    /** Appends one transaction of {@code keys.length} events (row = key) to {@code source}; returns their ids. */
    private List<String> append(EventLog log, String source, String... keys) {
        Lsn commit = new Lsn(nextLsn);
        nextLsn += 0x100;
        List<EncodedEvent> events = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            events.add(EncodedEvent.of(ChangeEvent.row(EventId.of(source.hashCode(), commit, i), source, commit, 700, i,
                    Instant.parse("2026-11-01T00:00:00Z"), "d", "public", "t", Operation.INSERT, JsonValue.NULL,
                    JsonValue.objectBuilder().put("id", JsonValue.of(keys[i])).build(), List.of(), "public.t[\"" + keys[i] + "\"]")));
        }
        log.append(source, new Lsn(commit.value() + 0x80), events).join();
        return events.stream().map(e -> e.id().value()).toList();
    }

    private List<String> pending(String destination) {
        return queue.pending(destination, 0, 1_000).stream().map(DeliveryQueue.Pending::eventId).toList();
    }

    private Status statusOf(String eventId) {
        return queries.deliveries(eventId).get(0).status();
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void eventsPastTheLimitAreStoredHeldAndGoOutInOrderWhenTheLimitIsRaised(StoreBackend backend) {
        open(backend);
        Usage usage = new Usage(db, clock, 3);
        EventLog log = new EventLog(db, usage);
        List<String> released = new ArrayList<>();
        db.signals().onDeliveriesReleased(released::add);

        List<String> ids = new ArrayList<>();
        ids.addAll(append(log, "src_1", "a", "b"));
        ids.addAll(append(log, "src_1", "a", "c", "d")); // the limit falls inside this transaction
        ids.addAll(append(log, "src_1", "e", "a"));

        assertThat(pending("dst_1")).as("what goes out").containsExactlyElementsOf(ids.subList(0, 3));
        assertThat(ids.subList(3, 7)).allSatisfy(id -> assertThat(statusOf(id)).isEqualTo(Status.HELD));
        Usage.Report report = usage.report(account);
        assertThat(report.eventsCounted()).isEqualTo(3);
        assertThat(report.limit()).isEqualTo(3);
        assertThat(report.eventsHeld()).isEqualTo(4);
        assertThat(report.period().start()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(report.period().end()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));

        assertThat(usage.setMonthlyLimit(account, 5L)).isTrue();
        assertThat(pending("dst_1")).as("the two oldest held go next").containsExactlyElementsOf(ids.subList(0, 5));
        assertThat(released).contains("src_1");
        assertThat(usage.report(account)).extracting(Usage.Report::eventsCounted, Usage.Report::eventsHeld).containsExactly(5L, 2L);

        ids.addAll(append(log, "src_1", "f")); // still behind the backlog, though the limit has room for none anyway
        assertThat(statusOf(ids.get(7))).isEqualTo(Status.HELD);
        usage.setMonthlyLimit(account, 1_000L);
        assertThat(pending("dst_1")).as("all of them, in event order").containsExactlyElementsOf(ids);
        assertThat(usage.report(account)).extracting(Usage.Report::eventsCounted, Usage.Report::eventsHeld).containsExactly(8L, 0L);
        assertThat(usage.monthlyLimit(account)).contains(1_000L);

        ids.addAll(append(log, "src_1", "g"));
        assertThat(statusOf(ids.get(8))).as("nothing held any more: a new event goes straight out").isEqualTo(Status.PENDING);
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void whenTheMonthTurnsHeldEventsOfEverySourceGoOutOldestFirstAndCountInTheNewMonth(StoreBackend backend) {
        open(backend);
        clock.set("2026-11-30T23:59:00Z");
        Usage usage = new Usage(db, clock, 2);
        EventLog log = new EventLog(db, usage);
        List<String> ids = new ArrayList<>();
        ids.addAll(append(log, "src_1", "a"));
        ids.addAll(append(log, "src_2", "a"));
        ids.addAll(append(log, "src_1", "b"));
        ids.addAll(append(log, "src_2", "b"));
        ids.addAll(append(log, "src_1", "c"));
        assertThat(usage.report(account).eventsHeld()).isEqualTo(3);

        assertThat(usage.releaseDue()).as("the month has not turned yet").isZero();
        clock.set("2026-12-01T00:00:01Z");
        ids.addAll(append(log, "src_2", "c")); // a new month, but a backlog is waiting: this one queues behind it
        assertThat(statusOf(ids.get(5))).isEqualTo(Status.HELD);

        assertThat(usage.releaseDue()).isEqualTo(2);
        assertThat(pending("dst_1")).containsExactly(ids.get(0), ids.get(2));
        assertThat(pending("dst_2")).containsExactly(ids.get(1), ids.get(3));
        assertThat(statusOf(ids.get(4))).isEqualTo(Status.HELD);
        assertThat(statusOf(ids.get(5))).isEqualTo(Status.HELD);
        Usage.Report december = usage.report(account);
        assertThat(december.period().key()).isEqualTo("2026-12");
        assertThat(december.eventsCounted()).isEqualTo(2);
        assertThat(december.eventsHeld()).isEqualTo(2);

        clock.set("2027-01-01T00:00:00Z");
        assertThat(usage.report(account).eventsCounted()).as("nothing yet in January").isZero();
        assertThat(usage.releaseDue()).isEqualTo(2);
        assertThat(pending("dst_1")).containsExactly(ids.get(0), ids.get(2), ids.get(4));
        assertThat(pending("dst_2")).containsExactly(ids.get(1), ids.get(3), ids.get(5));
        assertThat(usage.report(account)).extracting(Usage.Report::eventsCounted, Usage.Report::eventsHeld).containsExactly(2L, 0L);
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void anAccountsOwnLimitOverridesTheNodeDefaultAndAReleaseTouchesNoOtherAccount(StoreBackend backend) {
        open(backend);
        SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
        String other = new Accounts(db).create("other@example.com").orElseThrow().account().id();
        new Sources(db, secrets).insert(new Sources.Source("src_9", other, "other", "postgresql", "postgres://u:pw@h/d", "d",
                List.of("public.t"), "slot_9", "pub_9", Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
        new Destinations(db, secrets).upsert(new Destinations.Destination("dst_9", "src_9", "http://127.0.0.1:1/x",
                "whsec_12345678", null, Map.of(), null, 0));
        Usage usage = new Usage(db, clock, 1);
        EventLog log = new EventLog(db, usage);
        assertThat(usage.setMonthlyLimit("acc_nobody", 5L)).isFalse();

        List<String> mine = new ArrayList<>();
        List<String> theirs = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // interleaved, so the two accounts' held events share a range of the log
            mine.addAll(append(log, "src_1", "m" + i));
            theirs.addAll(append(log, "src_9", "t" + i));
        }
        assertThat(usage.report(other).eventsHeld()).isEqualTo(2);
        usage.setMonthlyLimit(account, 10L);
        assertThat(pending("dst_1")).containsExactlyElementsOf(mine);
        assertThat(pending("dst_9")).as("the other account's held events stay held").containsExactly(theirs.get(0));
        assertThat(usage.report(other)).extracting(Usage.Report::eventsCounted, Usage.Report::limit, Usage.Report::eventsHeld)
                .containsExactly(1L, 1L, 2L);

        usage.setMonthlyLimit(account, null);
        assertThat(usage.monthlyLimit(account)).as("back to the node default").isEmpty();
        assertThat(usage.report(account).limit()).isEqualTo(1);
        mine.addAll(append(log, "src_1", "m3"));
        assertThat(statusOf(mine.get(3))).as("over the default again").isEqualTo(Status.HELD);
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aTransactionSentAgainIsCountedOnce(StoreBackend backend) {
        open(backend);
        Usage usage = new Usage(db, clock, 10);
        EventLog log = new EventLog(db, usage);
        Lsn commit = Lsn.parse("0/500");
        List<EncodedEvent> tx = List.of(
                EncodedEvent.of(ChangeEvent.row(EventId.of(1, commit, 0), "src_1", commit, 700, 0, Instant.parse("2026-11-01T00:00:00Z"),
                        "d", "public", "t", Operation.INSERT, JsonValue.NULL, JsonValue.objectBuilder().put("id", JsonValue.of("a")).build(),
                        List.of(), "public.t[\"a\"]")));
        log.append("src_1", Lsn.parse("0/580"), tx).join();
        log.append("src_1", Lsn.parse("0/580"), tx).join();
        assertThat(usage.report(account).eventsCounted()).isEqualTo(1);
    }

    @org.junit.jupiter.api.Test
    void withADriverThatCannotSayWhichRowsWereNewATransactionSentAgainIsStillCountedOnceAndTheRightEventsAreHeld() {
        StoreBackend.Location postgres = StoreBackend.POSTGRESQL.fresh(dataDir);
        // PgJDBC rewrites the batch into multi-row INSERTs and answers SUCCESS_NO_INFO for every row
        open(new StoreBackend.Location(StoreBackend.POSTGRESQL, dataDir, postgres.postgresUrl() + "?reWriteBatchedInserts=true"));
        Usage usage = new Usage(db, clock, 7);
        EventLog log = new EventLog(db, usage);
        Lsn commit = Lsn.parse("0/500");
        List<EncodedEvent> first = new ArrayList<>();
        List<EncodedEvent> again = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String key = "k" + i;
            EncodedEvent e = EncodedEvent.of(ChangeEvent.row(EventId.of(1, commit, i), "src_1", commit, 700, i,
                    Instant.parse("2026-11-01T00:00:00Z"), "d", "public", "t", Operation.INSERT, JsonValue.NULL,
                    JsonValue.objectBuilder().put("id", JsonValue.of(key)).build(), List.of(), "public.t[\"" + key + "\"]"));
            if (i < 5) {
                first.add(e);
            }
            again.add(e);
        }
        log.append("src_1", null, first).join();
        // the first five sent again with five new ones, as one group: two fit under the limit of seven
        assertThat(log.append("src_1", Lsn.parse("0/580"), again).join()).isEqualTo(5);

        assertThat(usage.report(account)).extracting(Usage.Report::eventsCounted, Usage.Report::eventsHeld).containsExactly(7L, 3L);
        List<String> ids = again.stream().map(e -> e.id().value()).toList();
        assertThat(pending("dst_1")).containsExactlyElementsOf(ids.subList(0, 7));
        assertThat(ids.subList(7, 10)).allSatisfy(id -> assertThat(statusOf(id)).isEqualTo(Status.HELD));
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void releasesRunningAtOnceOnSeveralNodesReleaseEachHeldEventOnce(StoreBackend backend) throws Exception {
        open(backend);
        Usage usage = new Usage(db, clock, 0);
        EventLog log = new EventLog(db, usage);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.addAll(append(log, i % 2 == 0 ? "src_1" : "src_2", "k" + (i % 7)));
        }
        assertThat(usage.report(account).eventsHeld()).isEqualTo(40);
        db.update("UPDATE accounts SET monthly_event_limit = 25 WHERE id = ?", account); // as another node's operator would

        List<Usage> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nodes.add(new Usage(node(), clock, 0));
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        List<Future<Long>> runs = new ArrayList<>();
        for (Usage u : nodes) {
            runs.add(pool.submit(() -> {
                start.await();
                return u.releaseDue();
            }));
        }
        start.countDown();
        long released = 0;
        for (Future<Long> r : runs) {
            released += r.get();
        }
        pool.shutdown();

        assertThat(released).isEqualTo(25);
        List<String> out = new ArrayList<>(pending("dst_1"));
        out.addAll(pending("dst_2"));
        assertThat(out).containsExactlyInAnyOrderElementsOf(ids.subList(0, 25));
        assertThat(usage.report(account)).extracting(Usage.Report::eventsCounted, Usage.Report::eventsHeld).containsExactly(25L, 15L);
    }
}
