package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsagePeriodTest {

    @Test
    void aPeriodIsTheCalendarMonthInUtc() {
        UsagePeriod december = UsagePeriod.at(Instant.parse("2026-12-31T23:59:59.999Z"));
        assertThat(december.key()).isEqualTo("2026-12");
        assertThat(december.start()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(december.end()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(UsagePeriod.at(Instant.parse("2027-01-01T00:00:00Z")).key()).isEqualTo("2027-01");
    }
}
