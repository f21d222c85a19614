package dev.streamhook.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LsnTest {

    @Test
    void parsesAndPrintsThePostgresForm() {
        Lsn lsn = Lsn.parse("16/B374D848");
        assertThat(lsn.value()).isEqualTo(0x16B374D848L);
        assertThat(lsn).hasToString("16/B374D848");
        assertThat(Lsn.parse("0/1A2B3C4")).hasToString("0/1A2B3C4");
    }

    @Test
    void printsEveryValueAsUpperCaseHexHalvesWithoutLeadingZeros() {
        java.util.Random random = new java.util.Random(16);
        for (int i = 0; i < 100_000; i++) {
            long value = random.nextLong() >>> random.nextInt(64) & (random.nextBoolean() ? -1L : 0xFFFFFFFFL);
            String expected = Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
            assertThat(new Lsn(value)).hasToString(expected);
            assertThat(Lsn.parse(expected).value()).isEqualTo(value);
        }
        assertThat(new Lsn(-1)).hasToString("FFFFFFFF/FFFFFFFF");
        assertThat(Lsn.ZERO).hasToString("0/0");
    }

    @Test
    void comparesAsAnUnsignedNumber() {
        Lsn high = Lsn.parse("FFFFFFFF/0");
        assertThat(high.isAfter(Lsn.parse("7FFFFFFF/FFFFFFFF"))).isTrue();
        assertThat(Lsn.ZERO.isAfter(high)).isFalse();
    }

    @Test
    void rejectsTextThatIsNotAnLsn() {
        for (String bad : new String[] {"", "12", "/1", "1/", "G/1", "1/2/3", "100000000/0"}) {
            assertThatThrownBy(() -> Lsn.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an LSN");
        }
    }
}
