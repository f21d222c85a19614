package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.bench.jmh.Fixtures;
import dev.streamhook.event.WebhookPayload;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keeps the benchmarks' hand-built event honest: it is what capture makes of the fixture bytes. */
class BenchmarkFixturesTest {

    @Test
    void theHandBuiltUpdateEventIsWhatCaptureMakesOfTheUpdateBytes() {
        ChangeAssembler assembler = new ChangeAssembler(Fixtures.SOURCE_ID, Fixtures.DATABASE, oid -> Set.of("id"));
        assembler.accept(Fixtures.relation());
        assembler.accept(Fixtures.begin());
        assembler.accept(Fixtures.decodedUpdate());
        var event = assembler.accept(Fixtures.commit()).events().getFirst();
        byte[] captured = event.body();

        byte[] body = WebhookPayload.encode(Fixtures.updateEvent());
        assertThat(new String(body, StandardCharsets.UTF_8))
                .isEqualTo(new String(captured, StandardCharsets.UTF_8));
        assertThat(event.rowKey()).isEqualTo(Fixtures.updateEvent().rowKey());
        assertThat(body.length).as(new String(body, StandardCharsets.UTF_8)).isBetween(550, 700);
    }
}
