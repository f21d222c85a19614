package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.delivery.RowSequencer.Item;
import dev.streamhook.store.DeliveryQueue.Pending;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowSequencerTest {

    private final RowSequencer rows = new RowSequencer();

    private static Pending delivery(long seq, String row) {
        return new Pending(seq * 10, seq, "evt_" + seq, row, 0, 0, new byte[100]);
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
        rows.retryAt(sent.get(0), 500);
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
}
