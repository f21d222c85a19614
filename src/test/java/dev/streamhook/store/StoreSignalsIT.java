package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.json.JsonValue;
import dev.streamhook.testing.StoreBackend;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL store: what one commits, the other's signals announce, so its lanes
 * and live tails wake at once wherever capture and the API run.
 */
@Timeout(120)
class StoreSignalsIT {

    @TempDir
    Path dataDir;
    private Database first;
    private Database second;
    private final Heard heardByFirst = new Heard();
    private final Heard heardBySecond = new Heard();
    private long transactions;

    /** What one node's listeners got, in order. */
    private static final class Heard {
        final List<String> appended = new CopyOnWriteArrayList<>();
        final List<String> reopened = new CopyOnWriteArrayList<>();
        final AtomicInteger destinationsChanged = new AtomicInteger();
        final AtomicInteger resyncs = new AtomicInteger();

        void listenTo(StoreSignals signals) {
            signals.onEventsAppended(appended::add);
            signals.onDeliveriesReopened(reopened::add);
            signals.onDestinationsChanged(destinationsChanged::incrementAndGet);
            signals.onResync(resyncs::incrementAndGet);
        }
    }

    @BeforeEach
    void open() {
        StoreBackend.Location store = StoreBackend.POSTGRESQL.fresh(dataDir);
        first = store.open();
        second = store.open();
        heardByFirst.listenTo(first.signals());
        heardBySecond.listenTo(second.signals());
        await("both nodes listen").atMost(Duration.ofSeconds(20)).until(() -> first.hearsOtherNodes() && second.hearsOtherNodes());
        SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
        String account = new Accounts(first).create("signals@example.com").orElseThrow().account().id();
        new Sources(first, secrets).insert(new Sources.Source("src_1", account, "s", "postgresql", "postgres://u@h/d", "d",
                List.of("public.t"), "slot", "pub", Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
    }

    @AfterEach
    void close() {
        first.close();
        second.close();
    }

    @Test
    void aNodeHearsOfEventsAnotherNodeStoredAndNeitherHearsItsOwnTwice() {
        append(first);
        await().atMost(Duration.ofSeconds(10)).until(() -> heardBySecond.appended.contains("src_1"));
        append(second);
        // the first node's listener hears the second node's signal after its own: by then its own came back too, if it would
        await().atMost(Duration.ofSeconds(10)).until(() -> heardByFirst.appended.size() == 2);
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        assertThat(heardByFirst.appended).containsExactly("src_1", "src_1");
        assertThat(heardBySecond.appended).containsExactly("src_1", "src_1");
    }

    @Test
    void aNodeHearsOfDestinationsAnotherNodeChangedAndOfDeliveriesItMadeDueAgain() {
        Destinations destinations = new Destinations(first, SecretBox.load(Optional.empty(), dataDir));
        destinations.upsert(new Destinations.Destination("dst_1", "src_1", "http://127.0.0.1:1/", null, null, Map.of(), null, 0));
        await().atMost(Duration.ofSeconds(10)).until(() -> heardBySecond.destinationsChanged.get() >= 1);

        append(first);
        first.update("UPDATE deliveries SET status = 'FAILED', attempts = 3 WHERE destination_id = 'dst_1'");
        assertThat(new Redeliveries(first).replayFailed("dst_1", false, System.currentTimeMillis()).queued()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> heardBySecond.reopened.contains("dst_1"));
    }

    @Test
    void aNodeThatStoppedHearingTheOthersLooksAgainOnceItHearsThemAgain() {
        append(first);
        await().atMost(Duration.ofSeconds(10)).until(() -> heardBySecond.appended.size() == 1);
        int firstResyncs = heardByFirst.resyncs.get();
        int secondResyncs = heardBySecond.resyncs.get();
        int ended = first.read(c -> {
            try (Statement s = c.createStatement(); var rs = s.executeQuery(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                    + "WHERE application_name = 'streamhook signals' AND datname = current_database()")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(ended).as("the two nodes' connections that listen, and the first's that sent").isEqualTo(3);
        await("each node listens again and looks at the store again").atMost(Duration.ofSeconds(20))
                .until(() -> heardByFirst.resyncs.get() > firstResyncs && heardBySecond.resyncs.get() > secondResyncs
                        && first.hearsOtherNodes() && second.hearsOtherNodes());
        append(first);
        await("signals flow again").atMost(Duration.ofSeconds(20)).until(() -> heardBySecond.appended.size() == 2);
    }

    private void append(Database node) {
        Lsn commit = new Lsn(0x1000L + transactions++ * 0x100L);
        ChangeEvent e = ChangeEvent.row(EventId.of(1, commit, 0), "src_1", commit, 700, 0, Instant.EPOCH, "d", "public", "t",
                Operation.UPDATE, JsonValue.NULL, JsonValue.objectBuilder().put("v", JsonValue.of(1)).build(), List.of(), "public.t[\"1\"]");
        new EventLog(node, new Usage(node, Clock.systemUTC(), Usage.UNLIMITED)).append("src_1", new Lsn(commit.value() + 0x10),
                List.of(EncodedEvent.of(e))).join();
    }
}
