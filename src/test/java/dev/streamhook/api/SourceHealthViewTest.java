package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.config.Config;
import dev.streamhook.event.Lsn;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import dev.streamhook.store.Sources.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceHealthViewTest {

    private static final long NOW = 1_000_000_000L;
    private final SourceHealthView view = new SourceHealthView(new Config.CaptureAlerts(Duration.ofMinutes(5), 1_000));

    @Test
    void aSourceOutOfActiveForLongerThanTheStallTimeSaysWalIsPilingUp() {
        assertThat(view.warnings(source(Status.RECONNECTING, NOW - Duration.ofMinutes(6).toMillis(), null, null), NOW))
                .singleElement().asString().contains("has not streamed for 6 min").contains("status reconnecting").contains("keeps all WAL");
        assertThat(view.warnings(source(Status.RECONNECTING, NOW - Duration.ofMinutes(4).toMillis(), null, null), NOW)).isEmpty();
        assertThat(view.warnings(source(Status.ACTIVE, NOW - Duration.ofDays(3).toMillis(), null, null), NOW)).isEmpty();
    }

    @Test
    void aSlotLagPastTheLimitAndASlotAboutToBeInvalidatedAreWarnedOf() {
        assertThat(view.warnings(source(Status.ACTIVE, NOW, 1_000L, null), NOW)).singleElement().asString()
                .contains("holds 1000 bytes of WAL").contains("STREAMHOOK_SLOT_LAG_WARN_BYTES");
        assertThat(view.warnings(source(Status.ACTIVE, NOW, 999L, null), NOW)).isEmpty();
        assertThat(view.warnings(source(Status.ACTIVE, NOW, 0L, "unreserved"), NOW)).singleElement().asString()
                .contains("max_slot_wal_keep_size");
    }

    private static Source source(Status status, long statusSince, Long lagBytes, String walStatus) {
        return new Source("src_1", "acct_1", "shop", "postgresql", "postgres://u@127.0.0.1/db", "db", List.of("public.t"), "slot", "pub",
                status, null, Lsn.ZERO, 0, null, 0, null, lagBytes, lagBytes == null ? null : NOW,
                new Sources.SlotHealth(0L, statusSince, walStatus, null), 1);
    }
}
