package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.delivery.RowSequencer.Item;
import dev.streamhook.event.Operation;
import dev.streamhook.store.DeliveryQueue.Pending;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowSequencerTest {

    private final RowSequencer rows = new RowSequencer();

    /** The item's attempt failed and it is tried again at {@code at}, as a lane settles it. */
    private static void retry(RowSequencer sequencer, Item item, long at) {
        item.attempts++;
        sequencer.retryAt(item, at);
    }

    private static Pending delivery(long seq, String row) {
        return new Pending(seq * 10, seq, "evt_" + seq, row, null, "public.t", Operation.UPDATE, 0, 0, 0, new byte[100]);
    }

    /** An UPDATE that moved a row of public.t from key {@code from} to key {@code to}. */
    private static Pending keyChange(long seq, String from, String to) {
        return new Pending(seq * 10, seq, "evt_" + seq, to, from, "public.t", Operation.UPDATE, 0, 0, 0, new byte[100]);
    }

    private static Pending truncate(long seq, String table) {
        return new Pending(seq * 10, seq, "evt_" + seq, table, null, table, Operation.TRUNCATE, 0, 0, 0, new byte[100]);
    }

    private static Pending rowOf(long seq, String table, String row) {
        return new Pending(seq * 10, seq, "evt_" + seq, table + row, null, table, Operation.INSERT, 0, 0, 0, new byte[100]);
    }

    /** Takes and settles everything free, round by round, as a lane with unlimited in-flight would; returns the rounds. */
    private List<List<Long>> drainInRounds() {
        List<List<Long>> rounds = new java.util.ArrayList<>();
        List<Item> sent;
        while (!(sent = rows.take(0, 100)).isEmpty()) {
            rounds.add(seqs(sent));
            sent.forEach(rows::done);
        }
        return rounds;
    }

    @Test
    void anUpdateThatChangedTheKeyGoesAfterTheOldKeysEventsAndBeforeTheNewKeysLaterOnes() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "b"));
        rows.add(delivery(3, "a"));
        rows.add(keyChange(4, "a", "b")); // UPDATE ... SET id = b WHERE id = a (b was deleted by 2, say)
        rows.add(delivery(5, "b"));
        rows.add(delivery(6, "a")); // a new row under the old key

        assertThat(drainInRounds()).containsExactly(List.of(1L, 2L), List.of(3L), List.of(4L), List.of(5L, 6L));
    }

    @Test
    void aKeyChangeWaitsForAFailingHeadOfEitherKey() {
        rows.add(delivery(1, "b"));
        rows.add(keyChange(2, "a", "b"));
        Item b = rows.take(0, 10).get(0);
        assertThat(seqs(List.of(b))).containsExactly(1L);
        retry(rows, b, 500);
        assertThat(rows.take(100, 10)).isEmpty();
        assertThat(seqs(rows.take(500, 10))).containsExactly(1L);
    }

    @Test
    void aTruncateWaitsForEveryEarlierEventOfItsTableAndHoldsBackEveryLaterOne() {
        rows.add(rowOf(1, "public.t", "[1]"));
        rows.add(rowOf(2, "public.t", "[2]"));
        rows.add(rowOf(3, "public.other", "[1]"));
        rows.add(truncate(4, "public.t"));
        rows.add(rowOf(5, "public.t", "[1]"));
        rows.add(rowOf(6, "public.t", "[3]"));
        rows.add(rowOf(7, "public.other", "[2]"));

        assertThat(drainInRounds()).containsExactly(List.of(1L, 2L, 3L, 7L), List.of(4L), List.of(5L, 6L));
    }

    @Test
    void anOlderDeliveryMadeDueAgainByHandTakesItsPlaceInEventOrderBeforeALaterTruncate() {
        rows.add(rowOf(4, "public.t", "[1]"));
        rows.add(truncate(5, "public.t"));
        rows.add(rowOf(2, "public.t", "[1]")); // failed for good long ago, retried by hand
        assertThat(drainInRounds()).containsExactly(List.of(2L), List.of(4L), List.of(5L));
    }

    @Test
    void twoTruncatesOfATableGoOneAfterTheOtherWithTheRowsBetweenThemInBetween() {
        rows.add(truncate(1, "public.t"));
        rows.add(rowOf(2, "public.t", "[1]"));
        rows.add(truncate(3, "public.t"));
        rows.add(rowOf(4, "public.t", "[1]"));

        assertThat(drainInRounds()).containsExactly(List.of(1L), List.of(2L), List.of(3L), List.of(4L));
    }


    private static List<Long> seqs(List<Item> items) {
        return items.stream().map(Item::seq).toList();
    }

    @Test
    void onlyTheOldestEventOfEachRowIsHandedOutOldestRowFirst() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "b"));
        rows.add(delivery(3, "a"));
        rows.add(delivery(4, "c"));
        assertThat(seqs(rows.take(0, 10))).containsExactly(1L, 2L, 4L);
        assertThat(rows.take(0, 10)).isEmpty();
    }

    @Test
    void aRowsNextEventGoesOnlyOnceTheEarlierOneIsSettled() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "a"));
        Item first = rows.take(0, 10).get(0);
        assertThat(rows.take(0, 10)).isEmpty();
        rows.done(first);
        assertThat(seqs(rows.take(0, 10))).containsExactly(2L);
    }

    @Test
    void aFailedHeadHoldsItsRowUntilItsRetryTimeWhileOtherRowsGoOn() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "a"));
        rows.add(delivery(3, "b"));
        List<Item> sent = rows.take(0, 10);
        retry(rows, sent.get(0), 500);
        rows.done(sent.get(1));
        rows.add(delivery(4, "b"));

        assertThat(seqs(rows.take(100, 10))).containsExactly(4L);
        assertThat(rows.nextDueAt()).isEqualTo(500);
        assertThat(seqs(rows.take(500, 10))).containsExactly(1L);
    }

    @Test
    void theInFlightLimitIsHonouredAndTheRestWaitsInOrder() {
        for (long s = 1; s <= 5; s++) {
            rows.add(delivery(s, "row" + s));
        }
        assertThat(seqs(rows.take(0, 2))).containsExactly(1L, 2L);
        assertThat(seqs(rows.take(0, 2))).containsExactly(3L, 4L);
    }

    @Test
    void aDeliveryAlreadyHeldIsNotAddedTwiceAndAnotherReadOfItIsNotTheHeldOne() {
        Pending first = delivery(1, "a");
        assertThat(rows.add(first)).isTrue();
        assertThat(rows.add(delivery(1, "a"))).isFalse();
        assertThat(rows.size()).isEqualTo(1);
        Item held = rows.take(0, 1).get(0);
        assertThat(rows.holds(held)).isTrue();

        RowSequencer reread = new RowSequencer(); // as after a lost and retaken lease
        reread.add(delivery(1, "a"));
        assertThat(reread.holds(held)).isFalse();
    }

    @Test
    void theBodyBytesHeldAreCountedUntilSettled() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "b"));
        assertThat(rows.bytes()).isEqualTo(200);
        rows.done(rows.take(0, 1).get(0));
        assertThat(rows.bytes()).isEqualTo(100);
    }

    @Test
    void anOlderDeliveryMadeDueAgainGoesBeforeTheNewerOnesOfItsRowButNotBeforeOneInFlight() {
        rows.add(delivery(5, "a"));
        rows.add(delivery(6, "a"));
        Item inFlight = rows.take(0, 10).get(0);
        rows.add(delivery(2, "a"));
        rows.done(inFlight);
        assertThat(seqs(rows.take(0, 10))).containsExactly(2L);

        RowSequencer idle = new RowSequencer();
        idle.add(delivery(5, "a"));
        idle.add(delivery(2, "a"));
        assertThat(seqs(idle.take(0, 10))).containsExactly(2L);
    }

    private static Pending failedOf(long seq, String row) {
        return new Pending(seq * 10, seq, "evt_" + seq, row, null, "public.t", Operation.UPDATE, 12, 0, 0, new byte[100], true);
    }

    @Test
    void aHeadHeldAfterFailingKeepsItsRowWaitingWhileOtherRowsGoOn() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "b"));
        rows.add(delivery(3, "a"));
        rows.add(delivery(4, "b"));
        List<Item> first = rows.take(0, 10);
        assertThat(seqs(first)).containsExactly(1L, 2L);
        rows.hold(first.get(0)); // 1 failed for good
        rows.done(first.get(1));

        assertThat(seqs(rows.take(Long.MAX_VALUE - 1, 10))).as("row a waits behind held 1; row b goes on").containsExactly(4L);
        assertThat(rows.held()).extracting(Item::seq).containsExactly(1L);
        assertThat(rows.nextDueAt()).as("a held head is never due").isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aHeldHeadReleasedByARetryGoesFirstAndThenItsRowFollowsInOrder() {
        rows.add(failedOf(1, "a")); // read from the store as failed: held from the start
        rows.add(delivery(3, "a"));
        assertThat(rows.take(Long.MAX_VALUE - 1, 10)).isEmpty();

        Item held = rows.held().get(0);
        rows.release(held, 12, 500);
        assertThat(rows.take(499, 10)).isEmpty();
        List<Item> retried = rows.take(500, 10);
        assertThat(seqs(retried)).containsExactly(1L);
        assertThat(retried.get(0).attempts).isEqualTo(12);
        retried.forEach(rows::done);
        assertThat(seqs(rows.take(500, 10))).containsExactly(3L);
    }

    @Test
    void aHeldHeadSkippedByHandLetsItsRowGoOn() {
        rows.add(failedOf(1, "a"));
        rows.add(delivery(2, "a"));
        rows.done(rows.held().get(0));
        assertThat(seqs(rows.take(0, 10))).containsExactly(2L);
    }

    @Test
    void aHeldTruncateHoldsBackItsWholeTable() {
        rows.add(new Pending(10, 1, "evt_1", "public.t", null, "public.t", Operation.TRUNCATE, 12, 0, 0, new byte[100], true));
        rows.add(rowOf(2, "public.t", "[1]"));
        rows.add(rowOf(3, "public.other", "[1]"));
        assertThat(drainInRounds()).containsExactly(List.of(3L));
    }

    @Test
    void aBatchCarriesARowsLaterEventsBehindItsFirstInEventOrder() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "b"));
        rows.add(delivery(3, "a"));
        rows.add(delivery(4, "a"));

        List<Item> batch = rows.takeBatch(0, 10, Long.MAX_VALUE);

        assertThat(seqs(batch)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(rows.take(0, 10)).as("all of them are in flight").isEmpty();
    }

    @Test
    void aBatchTakesTheOldestHeadsFirstAndStopsAtItsLimitInEventsAndBytes() {
        for (long seq = 1; seq <= 6; seq++) {
            rows.add(delivery(seq, "r" + seq));
        }
        assertThat(seqs(rows.takeBatch(0, 4, Long.MAX_VALUE))).containsExactly(1L, 2L, 3L, 4L);
        assertThat(seqs(rows.takeBatch(0, 4, 150))).as("100-byte bodies: one, and a second would pass 150 bytes").containsExactly(5L);
    }

    @Test
    void aFailedBatchPutsARowsLaterEventsBackBehindItsFirst() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "a"));
        List<Item> batch = rows.takeBatch(0, 10, Long.MAX_VALUE);
        batch.forEach(i -> retry(rows, i, 500));

        assertThat(rows.take(100, 10)).isEmpty();
        assertThat(seqs(rows.takeBatch(500, 1, Long.MAX_VALUE))).as("only the row's first may lead").containsExactly(1L);
    }

    @Test
    void anEventBehindATruncateOrAFailedRetryDoesNotJoinABatch() {
        rows.add(rowOf(1, "public.t", "[1]"));
        rows.add(truncate(2, "public.t"));
        rows.add(rowOf(3, "public.t", "[1]"));
        rows.add(rowOf(4, "public.other", "[1]"));
        rows.add(rowOf(5, "public.other", "[1]"));
        assertThat(seqs(rows.takeBatch(0, 10, Long.MAX_VALUE))).as("public.t's row 1 waits for the TRUNCATE; public.other's goes")
                .containsExactly(1L, 4L, 5L);

        RowSequencer other = new RowSequencer();
        other.add(delivery(1, "a"));
        other.add(delivery(2, "b"));
        Item a = other.take(0, 1).get(0);
        retry(other, a, 1_000);
        other.add(delivery(3, "a"));
        assertThat(seqs(other.takeBatch(0, 10, Long.MAX_VALUE))).as("row a's head waits for its retry time").containsExactly(2L);
    }

    @Test
    void aRowBehindAHeadWaitingForItsRetryLetsGoOfItsLaterEventsAndTakesThemBackInOrderOnceTheHeadIsDelivered() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "a"));
        rows.add(delivery(3, "a"));
        rows.add(delivery(4, "b"));
        List<Item> first = rows.take(0, 10);
        retry(rows, first.get(0), 500); // 1 failed; a waits for it
        rows.done(first.get(1));

        assertThat(rows.parkBehindBlockedHeads(100)).as("2 and 3 let go, left pending in the store").isEqualTo(2);
        assertThat(rows.size()).isEqualTo(1);
        assertThat(rows.add(delivery(2, "a"))).as("read again while its head still fails: left in the store").isFalse();
        assertThat(rows.add(delivery(5, "a"))).isFalse();
        assertThat(rows.add(delivery(6, "b"))).as("other rows go on").isTrue();
        assertThat(seqs(rows.take(100, 10))).containsExactly(6L);
        assertThat(rows.takeLifted()).isEqualTo(-1);

        List<Item> retried = rows.take(500, 10);
        assertThat(seqs(retried)).containsExactly(1L);
        retried.forEach(rows::done);
        assertThat(rows.takeLifted()).as("the lane reads again after 1, what it kept").isEqualTo(1);
        for (long seq : new long[] {2, 3, 5}) {
            assertThat(rows.add(delivery(seq, "a"))).isTrue();
        }
        assertThat(drainInRounds()).containsExactly(List.of(2L), List.of(3L), List.of(5L));
    }

    @Test
    void aHeadHeldAfterFailingLetsGoOfItsRowsLaterEventsButNotOfOneInFlightOrOneInAnotherRowToo() {
        rows.add(failedOf(1, "a"));
        rows.add(delivery(2, "a"));
        rows.add(keyChange(3, "a", "c")); // in rows a and c: kept, and so is what comes before it
        rows.add(delivery(4, "a"));
        rows.add(delivery(5, "a"));

        assertThat(rows.parkBehindBlockedHeads(0)).as("only 4 and 5, behind the key change").isEqualTo(2);
        assertThat(rows.add(delivery(4, "a"))).isFalse();
        assertThat(rows.add(delivery(6, "c"))).as("c's next event waits in the lane behind the key change, as before").isTrue();
        assertThat(rows.take(0, 10)).as("everything waits for held 1").isEmpty();
    }

    @Test
    void anEventThatMustFollowOneLeftInTheStoreIsLeftThereTooWithWhatMustFollowIt() {
        rows.add(rowOf(1, "public.t", "[1]"));
        rows.add(rowOf(2, "public.t", "[1]"));
        rows.add(rowOf(3, "public.t", "[2]"));
        List<Item> first = rows.take(0, 10);
        retry(rows, first.get(0), 500);
        rows.done(first.get(1));
        assertThat(rows.parkBehindBlockedHeads(0)).isEqualTo(1);

        Pending keyChange = new Pending(40, 4, "evt_4", "public.t[3]", "public.t[1]", "public.t", Operation.UPDATE, 0, 0, 0, new byte[100]);
        assertThat(rows.add(keyChange)).as("[1] -> [3] must follow 2, which is in the store").isFalse();
        assertThat(rows.add(rowOf(5, "public.t", "[3]"))).as("and the new key's later events follow it").isFalse();
        assertThat(rows.add(truncate(6, "public.t"))).as("a TRUNCATE follows every earlier event of its table").isFalse();
        assertThat(rows.add(rowOf(7, "public.t", "[2]"))).as("and the table's events after it follow the TRUNCATE").isFalse();
        assertThat(rows.add(rowOf(8, "public.other", "[1]"))).isTrue();
        assertThat(rows.add(rowOf(0, "public.t", "[9]"))).as("an older event made due again by hand is taken in").isTrue();
    }

    @Test
    void nothingIsLetGoWhileTheHeadIsInFlightOrDueOrAlone() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "a"));
        rows.add(delivery(3, "b"));
        Item a = rows.take(0, 1).get(0);
        assertThat(rows.parkBehindBlockedHeads(0)).as("a's head in flight, b's alone").isZero();
        retry(rows, a, 100);
        assertThat(rows.parkBehindBlockedHeads(100)).as("a's head due now").isZero();
        assertThat(rows.size()).isEqualTo(3);
    }

    @Test
    void aTableBehindAHeldTruncateLetsGoOfItsLaterEventsAndTakesThemBackInOrderOnceTheTruncateIsSettled() {
        rows.add(new Pending(10, 1, "evt_1", "public.t", null, "public.t", Operation.TRUNCATE, 12, 0, 0, new byte[100], true));
        rows.add(rowOf(2, "public.t", "[1]"));
        rows.add(rowOf(3, "public.t", "[2]"));
        rows.add(rowOf(4, "public.t", "[1]"));
        rows.add(rowOf(5, "public.other", "[1]"));

        assertThat(rows.parkBehindBlockedHeads(0)).as("2, 3 and 4 let go").isEqualTo(3);
        assertThat(rows.add(rowOf(3, "public.t", "[2]"))).isFalse();
        assertThat(rows.add(rowOf(6, "public.t", "[3]"))).isFalse();
        assertThat(rows.add(rowOf(7, "public.other", "[2]"))).isTrue();
        assertThat(drainInRounds()).containsExactly(List.of(5L, 7L));

        rows.done(rows.held().get(0)); // skipped by hand
        assertThat(rows.takeLifted()).isEqualTo(1);
        for (long seq : new long[] {2, 3, 4, 6}) {
            assertThat(rows.add(rowOf(seq, "public.t", seq == 3 ? "[2]" : seq == 6 ? "[3]" : "[1]"))).isTrue();
        }
        assertThat(drainInRounds()).containsExactly(List.of(2L, 3L, 6L), List.of(4L));
    }

    @Test
    void anOlderKeyChangeMadeDueAgainBehindAParkedRowHoldsBackTheNewKeysLaterEventsUntilItHasGone() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "a"));
        retry(rows, rows.take(0, 10).get(0), 500);
        assertThat(rows.parkBehindBlockedHeads(100)).isEqualTo(1);
        rows.add(delivery(5, "b"));
        assertThat(rows.add(keyChange(3, "a", "b"))).as("retried by hand; it must follow 2, in the store").isFalse();

        assertThat(rows.take(100, 10)).as("5 must follow the key change").isEmpty();
        List<Item> retried = rows.take(500, 10);
        assertThat(seqs(retried)).containsExactly(1L);
        retried.forEach(rows::done);
        assertThat(rows.takeLifted()).isEqualTo(1);
        assertThat(rows.take(500, 10)).as("5 went back to the store, to be read again after 2 and 3").isEmpty();
        assertThat(rows.size()).isZero();
        rows.add(delivery(2, "a"));
        rows.add(keyChange(3, "a", "b"));
        rows.add(delivery(5, "b"));
        assertThat(drainInRounds()).containsExactly(List.of(2L), List.of(3L), List.of(5L));
    }

    @Test
    void anOlderTruncateReplayedBehindAParkedRowHoldsBackItsTablesLaterEvents() {
        rows.add(rowOf(1, "public.t", "[1]"));
        rows.add(rowOf(2, "public.t", "[1]"));
        retry(rows, rows.take(0, 10).get(0), 500);
        rows.parkBehindBlockedHeads(100);
        rows.add(rowOf(5, "public.t", "[2]"));
        assertThat(rows.add(truncate(3, "public.t"))).isFalse();

        assertThat(rows.take(100, 10)).as("5 must follow the TRUNCATE").isEmpty();
        rows.take(500, 10).forEach(rows::done);
        assertThat(rows.takeLifted()).isEqualTo(1);
        assertThat(rows.size()).as("5 went back to the store").isZero();
        rows.add(rowOf(2, "public.t", "[1]"));
        rows.add(truncate(3, "public.t"));
        rows.add(rowOf(5, "public.t", "[2]"));
        assertThat(drainInRounds()).containsExactly(List.of(2L), List.of(3L), List.of(5L));
    }

    @Test
    void aTruncateWaitingForAFailingEventLetsGoOfTheTablesEventsBehindIt() {
        rows.add(rowOf(1, "public.t", "[1]"));
        retry(rows, rows.take(0, 10).get(0), 500);
        rows.add(truncate(2, "public.t"));
        for (int i = 3; i < 503; i++) {
            rows.add(rowOf(i, "public.t", "[" + i + "]"));
        }
        assertThat(rows.parkBehindBlockedHeads(100)).isEqualTo(500);
        assertThat(rows.add(rowOf(503, "public.t", "[9]"))).isFalse();
        assertThat(rows.add(rowOf(504, "public.other", "[9]"))).isTrue();
    }

    @Test
    void aKeyChangeWaitingForAFailingHeadLetsGoOfTheNewKeysEventsBehindIt() {
        rows.add(delivery(1, "a"));
        retry(rows, rows.take(0, 10).get(0), 500);
        rows.add(keyChange(2, "a", "b"));
        for (int i = 3; i < 503; i++) {
            rows.add(delivery(i, "b"));
        }
        assertThat(rows.parkBehindBlockedHeads(100)).isEqualTo(500);
        assertThat(rows.size()).isEqualTo(2);
    }

    @Test
    void aLongChainOfKeyChangesBehindAHeldHeadParksItsTableInsteadOfEveryKey() {
        rows.add(failedOf(1, "k0"));
        rows.add(delivery(2, "k0"));
        rows.parkBehindBlockedHeads(0);
        for (int i = 1; i <= Parks.MAX_ROWS + 100; i++) {
            assertThat(rows.add(keyChange(2 + i, "k" + (i - 1), "k" + i))).isFalse();
        }
        assertThat(rows.add(delivery(Parks.MAX_ROWS + 500, "unrelated"))).as("past the limit its table is parked").isFalse();
        assertThat(rows.size()).isEqualTo(1);
    }

    @Test
    void anEventAttemptedInABatchIsNotLetGoWhileItsResultMayBeUnrecorded() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "a"));
        List<Item> batch = rows.takeBatch(0, 10, Long.MAX_VALUE);
        assertThat(seqs(batch)).containsExactly(1L, 2L);
        for (Item i : batch) {
            i.attempts++;
            retry(rows, i, 500);
        }
        assertThat(rows.parkBehindBlockedHeads(100)).isZero();
    }

    @Test
    void nothingIsLetGoBehindATruncateOrAKeyChangeThatWaitsOnlyForEventsInFlight() {
        for (long seq = 1; seq <= 3; seq++) {
            rows.add(rowOf(seq, "public.t", "[" + seq + "]"));
        }
        rows.add(truncate(4, "public.t"));
        for (long seq = 5; seq <= 600; seq++) {
            rows.add(rowOf(seq, "public.t", "[" + seq + "]"));
        }
        assertThat(seqs(rows.take(0, 100))).containsExactly(1L, 2L, 3L);
        assertThat(rows.ready(0)).isZero();
        assertThat(rows.parkBehindBlockedHeads(0)).as("the TRUNCATE waits only for events in flight").isZero();
        assertThat(rows.add(rowOf(701, "public.t", "[9]"))).isTrue();

        RowSequencer other = new RowSequencer();
        other.add(delivery(1, "a"));
        other.add(keyChange(2, "a", "b"));
        for (long seq = 3; seq <= 100; seq++) {
            other.add(delivery(seq, "b"));
        }
        assertThat(seqs(other.take(0, 100))).containsExactly(1L);
        assertThat(other.parkBehindBlockedHeads(0)).as("the key change waits only for an event in flight").isZero();
    }

    @Test
    void anOlderEventMadeDueAgainBehindAFailingHeadInFlightIsKeptAndTheRowParkedAfterTheNewestKept() {
        rows.add(delivery(10, "a"));
        Item ten = rows.take(0, 1).get(0);
        rows.add(delivery(5, "a")); // retried by hand while 10 was in flight: it goes after 10
        rows.add(keyChange(7, "a", "c"));
        rows.add(delivery(12, "a"));
        retry(rows, ten, 500);

        assertThat(rows.parkBehindBlockedHeads(100)).as("only 12: 5 and 7 are older than 10").isEqualTo(1);
        assertThat(rows.add(delivery(13, "a"))).isFalse();
        List<Item> retried = rows.take(500, 10);
        assertThat(seqs(retried)).as("the park does not hold back the row's own head").containsExactly(10L);
        retried.forEach(rows::done);
        assertThat(rows.takeLifted()).as("5 and 7 are still in the lane").isEqualTo(-1);
        assertThat(drainInRounds()).containsExactly(List.of(5L), List.of(7L));
        assertThat(rows.takeLifted()).isEqualTo(10);
    }

    @Test
    void anOlderEventMadeDueAgainNeverGoesBesideATruncateOfItsTableInFlightNorAnOlderTruncateBesideANewerEvent() {
        rows.add(truncate(10, "public.t"));
        assertThat(seqs(rows.take(0, 10))).containsExactly(10L);
        rows.add(rowOf(5, "public.t", "[1]")); // replayed by hand
        assertThat(rows.take(0, 10)).as("the INSERT waits for the TRUNCATE out").isEmpty();

        RowSequencer other = new RowSequencer();
        other.add(rowOf(20, "public.t", "[1]"));
        Item twenty = other.take(0, 10).get(0);
        other.add(truncate(10, "public.t")); // replayed by hand
        assertThat(other.take(0, 10)).as("the older TRUNCATE waits for the INSERT out").isEmpty();
        other.done(twenty);
        assertThat(seqs(other.take(0, 10))).containsExactly(10L);
    }

    @Test
    void settlingAHeldEventTheLaneLetGoOfMeanwhileChangesNothing() {
        rows.add(failedOf(1, "a"));
        rows.add(delivery(2, "a"));
        rows.add(delivery(3, "a"));
        rows.add(failedOf(5, "b"));
        assertThat(rows.parkBehindBlockedHeads(0)).isEqualTo(2);
        assertThat(rows.add(keyChange(4, "a", "b"))).as("replayed by hand, must follow 2 and 3").isFalse();
        List<Item> held = rows.held();
        assertThat(seqs(held)).containsExactly(1L, 5L);

        rows.done(held.get(0)); // skipped by hand: the lift lets 5 go too, it must follow 4
        assertThat(rows.size()).isZero();
        rows.done(held.get(1)); // as a lane's check of its held events would, from the list it took before
        rows.release(held.get(1), 12, 0);
        assertThat(rows.bytes()).isZero();
        assertThat(rows.size()).isZero();
        assertThat(rows.takeLifted()).isEqualTo(1);
    }
}
