package dev.streamhook.capture.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written reader gives what the regex it replaced gave, for good text and bad. */
class PgTimestampsTest {

    @Test
    void timestampsConvertExactlyAsWithTheRegex() {
        List<String> texts = new ArrayList<>(List.of(
                "", "infinity", "-infinity", "2026-03-13 10:30:00", "2026-03-13 10:30:00+00", "2026-03-13 10:30:00.123456+00",
                "2026-03-13 10:30:00.1234567+00", "2026-03-13 10:30:00.+00", "2026-03-13 10:30:00.", "2026-03-13 10:30:00+5",
                "2026-03-13 10:30:00+05:3", "2026-03-13 10:30:00+05:30:", "2026-03-13 10:30:00+05:30:15:00", "2026-03-13 10:30:00+",
                "2026-03-13 10:30:00 +00", "2026-03-13T10:30:00+00", "2026-3-13 10:30:00+00", "2026-03-13 10:30:00+00 BC",
                "0001-01-01 00:00:00+01", "0001-01-01 00:00:00-01", "9999-12-31 23:59:59.999999-01", "9999-12-31 23:59:59+00",
                "0000-01-01 00:00:00", "2026-02-29 00:00:00", "2024-02-29 00:00:00+00", "2026-02-30 00:00:00", "2026-13-01 00:00:00",
                "2026-03-13 24:00:00", "2026-03-13 23:60:00", "2026-03-13 23:59:60", "2026-03-13 10:30:00+99:99:99",
                "2026-03-13 10:30:00-15:59:59", "\u0662026-03-13 10:30:00", "2026-03-13 10:30:00.1\u0662", "２026-03-13 10:30:00",
                "12026-03-13 10:30:00+00", "2026-03-13 10:30:00.000000+00", "2026-03-13 10:30:00.120", "2026-03-13 10:30:00.12345"));
        Random random = new Random(1184);
        String[] fractions = {"", ".", ".1", ".12", ".123", ".1234", ".12345", ".123456", ".1234567", ".000001", ".100000", ".000"};
        String[] zones = {"", "+00", "-00", "+05:30", "-03:00:15", "+14", "-12", "+5", "+05:", "+05:3", "+05:30:1", "Z", " BC", "+00 BC"};
        for (int i = 0; i < 20_000; i++) {
            String text = String.format("%04d-%02d-%02d %02d:%02d:%02d", random.nextInt(10_000), 1 + random.nextInt(12),
                    1 + random.nextInt(31), random.nextInt(25), random.nextInt(61), random.nextInt(61))
                    + fractions[random.nextInt(fractions.length)] + zones[random.nextInt(zones.length)];
            if (random.nextInt(10) == 0) {
                StringBuilder mutated = new StringBuilder(text);
                int at = random.nextInt(mutated.length());
                String pool = "0123456789-: .+x\u0663";
                mutated.setCharAt(at, pool.charAt(random.nextInt(pool.length())));
                text = mutated.toString();
            }
            texts.add(text);
        }
        for (String text : texts) {
            assertThat(PgTimestamps.withZone(text)).as("timestamptz %s", text).isEqualTo(PreviousPgTimestamps.withZone(text));
            assertThat(PgTimestamps.withoutZone(text)).as("timestamp %s", text).isEqualTo(PreviousPgTimestamps.withoutZone(text));
        }
    }
}
