package dev.streamhook.delivery;

import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.json.JsonValue;
import dev.streamhook.store.Accounts;
import dev.streamhook.store.Database;
import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.Destinations;
import dev.streamhook.store.Destinations.Destination;
import dev.streamhook.store.EventLog;
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
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the lane tests share: a real embedded store with one source, lanes run by a {@link Dispatcher},
 * and a {@link ScriptedSender} that answers as the test says.
 */
@Timeout(60)
abstract class LaneTestBase {

    @TempDir
    Path dataDir;
    Database db;
    Destinations destinations;
    EventLog log;
    Dispatcher dispatcher;
    final ScriptedSender sender = new ScriptedSender();
    long transactions;

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

    void destination(String id, Integer maxInFlight) {
        destinations.upsert(new Destination(id, "src_1", "http://127.0.0.1:1/" + id, null, null, Map.of(), maxInFlight, 0));
    }

    void start() {
        start(1_000, new RetryPolicy(3, List.of(Duration.ofMillis(10))));
    }

    /** {@code window}: how many deliveries a lane holds in memory at most. */
    void start(int window, RetryPolicy retries) {
        start(window, 4L << 20, retries);
    }

    /** {@code windowBytes}: the body bytes a lane holds in memory at most. */
    void start(int window, long windowBytes, RetryPolicy retries) {
        start(window, windowBytes, retries, 30_000);
    }

    /** {@code leaseMillis}: how long a lane's lease lasts; it is renewed a third of the way in. */
    void start(int window, long windowBytes, RetryPolicy retries, long leaseMillis) {
        dispatcher = new Dispatcher(new DeliveryQueue(db), destinations, db.signals(), sender, retries,
                DeliveryMetrics.NONE, "node-test", 16, leaseMillis, window, windowBytes, Clock.systemUTC());
        dispatcher.start();
    }

    /** A lease renewed every 300 ms: the lane reads from its start that often, beside everything else it does. */
    static final long RENEWING_OFTEN = 900;

    /** The commit LSN of the test's {@code n}th transaction, counted from 0. */
    static Lsn commitOf(long n) {
        return new Lsn(0x1000L + n * 0x100L);
    }

    /** The id of the event the append {@code ahead} transactions from now stores: known before it is sent, to script its answer. */
    String upcomingId(long ahead) {
        return EventId.of(1, commitOf(transactions + ahead), 0).value();
    }

    /** {@code rows} one-row transactions, row key {@code "row" + (i % distinctRows)}. */
    List<String> append(int rows, int distinctRows) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            keys.add("row" + (i % distinctRows));
        }
        return append(keys);
    }

    /** One one-row transaction per key, in order; returns their event ids. */
    List<String> append(List<String> rowKeys) {
        return append(rowKeys, 0);
    }

    /** As {@link #append(List)}, each event carrying {@code padding} more bytes. */
    List<String> append(List<String> rowKeys, int padding) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < rowKeys.size(); i++) {
            Lsn commit = commitOf(transactions++);
            EventId id = EventId.of(1, commit, 0);
            ids.add(id.value());
            ChangeEvent e = ChangeEvent.row(id, "src_1", commit, 700, 0, Instant.EPOCH, "d", "public", "t", Operation.UPDATE,
                    JsonValue.NULL, JsonValue.objectBuilder().put("v", JsonValue.of(i)).put("pad", JsonValue.of("x".repeat(padding))).build(),
                    List.of(), "public.t[\"" + rowKeys.get(i) + "\"]");
            log.append("src_1", new Lsn(commit.value() + 0x10), List.of(EncodedEvent.of(e))).join();
        }
        return ids;
    }
}
