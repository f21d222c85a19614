package dev.streamhook.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventIdTest {

    @Test
    void theSameChangeSentAgainGetsTheSameId() {
        assertThat(EventId.of("src_a", Lsn.parse("0/1A2B3C4"), 3)).isEqualTo(EventId.of("src_a", Lsn.parse("0/1A2B3C4"), 3));
    }

    @Test
    void sourceLsnAndPositionEachChangeTheId() {
        EventId base = EventId.of("src_a", Lsn.parse("0/10"), 0);
        assertThat(EventId.of("src_b", Lsn.parse("0/10"), 0)).isNotEqualTo(base);
        assertThat(EventId.of("src_a", Lsn.parse("0/11"), 0)).isNotEqualTo(base);
        assertThat(EventId.of("src_a", Lsn.parse("0/10"), 1)).isNotEqualTo(base);
        assertThat(base.value()).matches("evt_[0-9a-f]{24}");
    }
}
