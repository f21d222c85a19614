package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.json.JsonValue;
import dev.streamhook.store.Destinations;
import dev.streamhook.store.Destinations.Destination;
import dev.streamhook.store.Redeliveries;
import dev.streamhook.store.Signing;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Per-row order under load, by random scenarios with fixed seeds: failures, retries, replays by hand,
 * a lane window small enough that the lane keeps letting go of events and reading them again.
 */
class RowOrderFuzzTest extends LaneTestBase {

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
                String id = upcomingId(i);
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

    /**
     * The same with all else that orders events: UPDATEs that move a row to another key (ordered
     * against both keys), TRUNCATEs (against every event of their table), two tables, and a
     * destination that sends up to 5 events per request. Every event arrives once, and no two
     * events that must keep their commit order arrive the other way round.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {31, 32})
    void keyChangesTruncatesAndBatchesKeepCommitOrderUnderFailuresAndAFullWindow(long seed) {
        destinations.upsert(new Destination("dst_1", "src_1", "http://127.0.0.1:1/dst_1", null, null, Map.of(), 4,
                Destinations.ALL_OPERATIONS, 0, new Destinations.Tuning(null, null, null, null, new Destinations.Batch(5, 0)),
                Destinations.State.ACTIVE, Signing.Scheme.STREAMHOOK, null, Destinations.OnFailure.HOLD));
        // renewed every 600 ms, not 300: a lane stalled for two thirds of its lease on a busy machine loses it and sends again
        start(24, 4L << 20, new RetryPolicy(1_000, List.of(Duration.ofMillis(20), Duration.ofMillis(50))), 1_800);
        java.util.Random random = new java.util.Random(seed);
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            String table = random.nextBoolean() ? "t" : "u";
            String key = random.nextInt(3) == 0 ? "hot" + random.nextInt(2) : "row" + random.nextInt(40);
            int roll = random.nextInt(100);
            changes.add(roll == 0 ? new Change(table, null, null) : new Change(table, key, roll < 9 ? "row" + random.nextInt(40) : null));
        }
        List<String> ids = new ArrayList<>();
        for (int from = 0; from < changes.size(); from += 50) {
            for (int i = 0; i < 50; i++) { // refused before they are sent
                int roll = random.nextInt(100);
                if (roll < 20) {
                    sender.failuresLeft.put(upcomingId(i),
                            new AtomicInteger(roll < 5 ? 4 : 1));
                }
            }
            ids.addAll(appendChanges(changes.subList(from, from + 50)));
        }
        await().atMost(Duration.ofSeconds(50)).pollInterval(Duration.ofMillis(50))
                .until(() -> new java.util.HashSet<>(sender.delivered).size() == changes.size());

        assertThat(sender.delivered).as("each event once").doesNotHaveDuplicates();
        assertThat(sender.sent).as("requests that carried several events").anyMatch(d -> d.batchSize() > 1);
        Map<String, Integer> arrival = new java.util.HashMap<>();
        for (int i = 0; i < sender.delivered.size(); i++) {
            arrival.put(sender.delivered.get(i), i);
        }
        List<String> reversed = new ArrayList<>();
        for (int later = 0; later < changes.size(); later++) {
            for (int earlier = 0; earlier < later; earlier++) {
                if (changes.get(earlier).ordersAgainst(changes.get(later)) && arrival.get(ids.get(earlier)) > arrival.get(ids.get(later))) {
                    reversed.add(changes.get(earlier) + " #" + earlier + " after " + changes.get(later) + " #" + later);
                }
            }
        }
        assertThat(reversed).as("events that must keep their commit order").isEmpty();
    }

    /** An UPDATE of {@code key} in {@code table}, moved there from {@code oldKey} when not null; a TRUNCATE of the table when {@code key} is null. */
    private record Change(String table, String key, String oldKey) {
        boolean truncate() {
            return key == null;
        }

        /** Whether the sequencer must keep the two in commit order: same table, and a TRUNCATE or a key in common. */
        boolean ordersAgainst(Change other) {
            if (!table.equals(other.table)) {
                return false;
            }
            if (truncate() || other.truncate()) {
                return true;
            }
            return key.equals(other.key) || key.equals(other.oldKey) || (oldKey != null && (oldKey.equals(other.key) || oldKey.equals(other.oldKey)));
        }
    }

    /** One transaction per change, in order; returns their event ids. */
    private List<String> appendChanges(List<Change> changes) {
        List<String> ids = new ArrayList<>();
        for (Change change : changes) {
            Lsn commit = commitOf(transactions++);
            EventId id = EventId.of(1, commit, 0);
            ids.add(id.value());
            ChangeEvent e = change.truncate()
                    ? new ChangeEvent(id, "src_1", commit, 700, 0, Instant.EPOCH, "d", "public", change.table(), Operation.TRUNCATE,
                            JsonValue.NULL, JsonValue.NULL, List.of(), "public." + change.table(), null, new ChangeEvent.TruncateOptions(false, false), false)
                    : new ChangeEvent(id, "src_1", commit, 700, 0, Instant.EPOCH, "d", "public", change.table(), Operation.UPDATE,
                            JsonValue.NULL, JsonValue.objectBuilder().put("v", JsonValue.of(ids.size())).build(), List.of(),
                            rowKey(change.table(), change.key()), change.oldKey() == null || change.oldKey().equals(change.key()) ? null
                            : rowKey(change.table(), change.oldKey()), null, false);
            log.append("src_1", new Lsn(commit.value() + 0x10), List.of(EncodedEvent.of(e))).join();
        }
        return ids;
    }

    private static String rowKey(String table, String key) {
        return "public." + table + "[\"" + key + "\"]";
    }
}
