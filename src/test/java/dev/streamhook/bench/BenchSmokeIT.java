package dev.streamhook.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the benchmark harness working: a tiny run of {@code bin/streamhook bench --quick} against
 * the built jar. It checks that every event arrived and the report was written, never how fast
 * anything was (timings belong in the report, not in assertions).
 */
class BenchSmokeIT {

    @Test
    void aTinyQuickRunDeliversEveryEventAndWritesTheReport(@TempDir Path dir) throws Exception {
        TestPostgres.Server pg = TestPostgres.embedded();
        List<Figures.Scenario> results = Bench.run("--quick",
                "--pg-url", "postgres://" + pg.superuser() + "@" + pg.host() + ":" + pg.port() + "/postgres",
                "--scenarios", "backlog,backlog-single,rate,backlog-warm",
                "--events", "500", "--single-events", "200",
                "--rates", "50", "--rate-seconds", "2", "--warmup-seconds", "0", "--idle-seconds", "1",
                "--stall-seconds", "30",
                "--out", dir.resolve("report").toString(), "--work", dir.resolve("work").toString());

        assertThat(results).extracting(Figures.Scenario::name).containsExactly("backlog", "backlog-single", "rate-50", "backlog-warm");
        for (Figures.Scenario s : results) {
            assertThat(s.complete()).as(s.name()).isTrue();
            assertThat(s.received()).as(s.name()).isEqualTo(s.expected());
            assertThat(s.signaturesBad()).as(s.name()).isZero();
        }
        for (Figures.Scenario backlog : List.of(results.get(0), results.get(3))) {
            assertThat(backlog.rawReplicationRead().count()).as(backlog.name()).isEqualTo(500);
            assertThat(backlog.httpClient().count()).as(backlog.name()).isEqualTo(500);
        }
        for (String file : List.of("results.json", "results.md", "results.svg")) {
            assertThat(dir.resolve("report").resolve(file)).isNotEmptyFile();
        }
        assertThat(Files.readString(dir.resolve("report/results.svg"))).startsWith("<svg");
    }
}
