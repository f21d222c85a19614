package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.bench.jmh.Fixtures;
import dev.streamhook.capture.pgoutput.PgOutputDecoder;
import dev.streamhook.event.WebhookPayload;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keeps the benchmarks' hand-built event honest: it is what capture makes of the fixture bytes. */
class BenchmarkFixturesTest {

    @Test
    void theHandBuiltUpdateEventIsWhatCaptureMakesOfTheUpdateBytes() {
        ChangeAssembler assembler = new ChangeAssembler(Fixtures.SOURCE_ID, Fixtures.SOURCE_TAG, Fixtures.DATABASE, oid -> Set.of("id"));
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

    @Test
    void theLoadRowMakesABodyOfAbout750BytesWithItsValuesAsNumbersAndObjects() {
        ChangeAssembler assembler = new ChangeAssembler(Fixtures.SOURCE_ID, Fixtures.SOURCE_TAG, Fixtures.DATABASE, oid -> Set.of("id"));
        assembler.accept(Fixtures.loadRelation());
        assembler.accept(Fixtures.begin());
        assembler.accept(PgOutputDecoder.decode(ByteBuffer.wrap(Fixtures.loadInsertBytes(12_345))));
        var event = assembler.accept(Fixtures.commit()).events().getFirst();
        String body = new String(event.body(), StandardCharsets.UTF_8);

        assertThat(body).contains("\"after\":{\"id\":12345,\"status\":\"paid\",\"amount\":1763.57,\"payload\":{\"note\":\"",
                "\"items\":[{\"qty\":1,\"sku\":\"SKU-621\",\"price\":19.99},{\"qty\":2,\"sku\":\"SKU-31\",\"price\":5.5}]",
                "\"updated_at\":\"2026-03-13T10:30:00.123456Z\"}");
        assertThat(event.rowKey()).isEqualTo("public.orders[\"12345\"]");
        assertThat(body.length()).as(body).isBetween(700, 800);
    }
}
