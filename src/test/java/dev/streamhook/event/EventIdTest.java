package dev.streamhook.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventIdTest {

    @Test
    void theSameChangeSentAgainGetsTheSameId() {
        assertThat(EventId.of(7, Lsn.parse("0/1A2B3C4"), 3)).isEqualTo(EventId.of(7, Lsn.parse("0/1A2B3C4"), 3));
    }

    @Test
    void sourceLsnAndPositionEachChangeTheId() {
        EventId base = EventId.of(7, Lsn.parse("0/10"), 0);
        assertThat(EventId.of(8, Lsn.parse("0/10"), 0)).isNotEqualTo(base);
        assertThat(EventId.of(7, Lsn.parse("0/11"), 0)).isNotEqualTo(base);
        assertThat(EventId.of(7, Lsn.parse("0/10"), 1)).isNotEqualTo(base);
        assertThat(base.value()).matches("evt_[0-9a-f]{32}");
    }

    @Test
    void aSourcesIdsSortInCommitOrderSoTheStoreAppendsToItsIndex() {
        List<String> inCommitOrder = new ArrayList<>();
        for (String lsn : List.of("0/10", "0/FF", "1/0", "FFFF/FFFFFFF0", "FFFFFFFF/FFFFFFFF")) {
            for (int position : new int[] {0, 1, 255, 65_536, Integer.MAX_VALUE}) {
                inCommitOrder.add(EventId.of(-5, Lsn.parse(lsn), position).value());
            }
        }
        assertThat(inCommitOrder).isSorted();
    }
}
