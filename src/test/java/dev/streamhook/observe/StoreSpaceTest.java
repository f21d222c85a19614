package dev.streamhook.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoreSpaceTest {

    private static final long GIB = 1L << 30;

    @Test
    void aStorePastItsWarningSizeSaysSoAndHowToMakeRoom() {
        StoreSpace space = new StoreSpace(() -> 3 * GIB, Optional.of(2 * GIB), () -> Optional.empty(), 10);
        assertThat(space.warnings()).singleElement().asString()
                .contains("3072 MiB").contains("STREAMHOOK_STORE_WARN_BYTES").contains("STREAMHOOK_RETENTION");
    }

    @Test
    void aDiskWithLessThanTheWarningShareFreeSaysSo() {
        StoreSpace space = new StoreSpace(() -> GIB, Optional.empty(), () -> Optional.of(new StoreSpace.Disk(GIB, 20 * GIB)), 10);
        assertThat(space.warnings()).singleElement().asString().contains("1024 MiB free of 20480 MiB").contains("10%");
    }

    @Test
    void roomEnoughSaysNothing() {
        StoreSpace space = new StoreSpace(() -> GIB, Optional.of(2 * GIB), () -> Optional.of(new StoreSpace.Disk(5 * GIB, 20 * GIB)), 10);
        assertThat(space.warnings()).isEmpty();
        assertThat(new StoreSpace(() -> GIB, Optional.empty(), () -> Optional.of(new StoreSpace.Disk(0, 20 * GIB)), 0).warnings())
                .as("0% turns the disk warning off").isEmpty();
    }
}
