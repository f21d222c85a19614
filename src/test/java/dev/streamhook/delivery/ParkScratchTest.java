package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.delivery.RowSequencer.Item;
import dev.streamhook.event.Operation;
import dev.streamhook.store.DeliveryQueue.Pending;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParkScratchTest {
    private final RowSequencer rows = new RowSequencer();

    private static Pending delivery(long seq, String row) {
        return new Pending(seq * 10, seq, "evt_" + seq, row, null, "public.t", Operation.UPDATE, 0, 0, 0, new byte[100]);
    }
    private static Pending keyChange(long seq, String from, String to) {
        return new Pending(seq * 10, seq, "evt_" + seq, to, from, "public.t", Operation.UPDATE, 0, 0, 0, new byte[100]);
    }
    private static Pending truncate(long seq, String table) {
        return new Pending(seq * 10, seq, "evt_" + seq, table, null, table, Operation.TRUNCATE, 0, 0, 0, new byte[100]);
    }
    private static Pending rowOf(long seq, String table, String row) {
        return new Pending(seq * 10, seq, "evt_" + seq, table + row, null, table, Operation.INSERT, 0, 0, 0, new byte[100]);
    }
    private static List<Long> seqs(List<Item> items) { return items.stream().map(Item::seq).toList(); }

    @Test
    void keyChangeMadeDueByHandIsRefusedWhileNewKeysLaterEventGoes() {
        rows.add(delivery(1, "a"));
        rows.add(delivery(2, "a"));
        rows.retryAt(rows.take(0, 10).get(0), 500);
        assertThat(rows.parkBehindBlockedHeads(100)).isEqualTo(1);
        assertThat(rows.add(delivery(5, "b"))).isTrue();
        assertThat(rows.add(keyChange(3, "a", "b"))).as("refused").isFalse();
        List<Item> sent = rows.take(100, 10);
        System.out.println("SENT1 " + seqs(sent));
        assertThat(seqs(sent)).containsExactly(5L); // 5 of row b goes before 3 (a->b)
        sent.forEach(rows::done);
        System.out.println("UNPARKED early while a still blocked: " + rows.takeUnparked());
    }

    @Test
    void replayedTruncateRefusedWhileLaterRowOfTableGoes() {
        rows.add(rowOf(1, "public.t", "[1]"));
        rows.add(rowOf(2, "public.t", "[1]"));
        rows.retryAt(rows.take(0, 10).get(0), 500);
        rows.parkBehindBlockedHeads(100);
        assertThat(rows.add(rowOf(5, "public.t", "[2]"))).isTrue();
        assertThat(rows.add(truncate(3, "public.t"))).isFalse();
        List<Item> sent = rows.take(100, 10);
        System.out.println("SENT2 " + seqs(sent));
        assertThat(seqs(sent)).containsExactly(5L);
    }

    @Test
    void truncateBehindFailingSingleEventFillsWindowAndNothingIsLetGo() {
        rows.add(rowOf(1, "public.t", "[1]"));
        rows.retryAt(rows.take(0, 10).get(0), 500);
        rows.add(truncate(2, "public.t"));
        for (int i = 3; i < 503; i++) rows.add(rowOf(i, "public.t", "[" + i + "]"));
        assertThat(rows.ready(100)).isZero();
        System.out.println("DROPPED3 " + rows.parkBehindBlockedHeads(100) + " size " + rows.size());
    }

    @Test
    void keyChangeBehindFailingHeadNewKeyFills() {
        rows.add(delivery(1, "a"));
        rows.retryAt(rows.take(0, 10).get(0), 500);
        rows.add(keyChange(2, "a", "b"));
        for (int i = 3; i < 503; i++) rows.add(delivery(i, "b"));
        assertThat(rows.ready(100)).isZero();
        System.out.println("DROPPED4 " + rows.parkBehindBlockedHeads(100) + " size " + rows.size());
    }

    @Test
    void chainOfKeyChangesGrowsParks() throws Exception {
        rows.add(delivery(1, "k0"));
        rows.add(delivery(2, "k0"));
        rows.retryAt(rows.take(0, 10).get(0), Long.MAX_VALUE / 2);
        rows.parkBehindBlockedHeads(100);
        for (int i = 1; i <= 100000; i++) rows.add(keyChange(2 + i, "k" + (i - 1), "k" + i));
        var f = RowSequencer.class.getDeclaredField("parkedRows");
        f.setAccessible(true);
        System.out.println("PARKED5 " + ((java.util.Map<?, ?>) f.get(rows)).size() + " size " + rows.size());
    }
}
