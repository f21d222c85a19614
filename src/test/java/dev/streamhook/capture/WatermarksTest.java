package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.capture.pgoutput.LogicalMessage;
import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.json.JsonValue;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatermarksTest {

    private static final TableName ORDERS = new TableName("public", "orders");
    private final Watermarks watermarks = new Watermarks();

    @Test
    void aRowChangedBetweenTheWatermarksIsLeftToTheStreamAndTheOthersAreStoredAtTheHighOne() {
        Watermarks.Window window = watermarks.expect("src_a:1", ORDERS);
        assertThat(watermarks.onMessage(message(Watermarks.low("src_a:1")))).isNull();
        watermarks.observe(List.of(change("public", "orders", "public.orders[\"2\"]"), change("public", "other", "public.other[\"1\"]")));
        watermarks.ready(window, List.of(row("public.orders[\"1\"]"), row("public.orders[\"2\"]")), c -> null);

        Watermarks.Window toStore = watermarks.onMessage(message(Watermarks.high("src_a:1")));

        assertThat(toStore).isSameAs(window);
        assertThat(toStore.unchangedRows()).extracting(TableChunks.Row::rowKey).containsExactly("public.orders[\"1\"]");
    }

    @Test
    void aChangeBeforeTheLowWatermarkDoesNotDropTheRowItsEffectIsInTheChunk() {
        Watermarks.Window window = watermarks.expect("src_a:2", ORDERS);
        watermarks.observe(List.of(change("public", "orders", "public.orders[\"1\"]")));
        watermarks.onMessage(message(Watermarks.low("src_a:2")));
        watermarks.ready(window, List.of(row("public.orders[\"1\"]")), c -> null);

        assertThat(watermarks.onMessage(message(Watermarks.high("src_a:2"))).unchangedRows()).hasSize(1);
    }

    @Test
    void aWatermarkOfAnotherSourceOrOneGivenUpOrSeenAgainIsIgnored() {
        Watermarks.Window window = watermarks.expect("src_a:3", ORDERS);
        watermarks.onMessage(message(Watermarks.low("src_a:3")));
        watermarks.ready(window, List.of(row("public.orders[\"1\"]")), c -> null);

        assertThat(watermarks.onMessage(message(Watermarks.high("src_b:9")))).isNull();
        assertThat(watermarks.onMessage(new LogicalMessage(true, Lsn.ZERO, "someone.else", Watermarks.high("src_a:3")))).isNull();
        assertThat(watermarks.onMessage(message(Watermarks.high("src_a:3")))).isSameAs(window);
        assertThat(watermarks.onMessage(message(Watermarks.high("src_a:3")))).as("sent again after a reconnect").isNull();
        assertThat(watermarks.forget(window)).as("capture took it: its store write decides").isFalse();
    }

    @Test
    void aHighWatermarkWithoutItsLowOneFailsTheChunkSoItIsReadAgain() {
        Watermarks.Window window = watermarks.expect("src_a:4", ORDERS);
        watermarks.ready(window, List.of(row("public.orders[\"1\"]")), c -> null);

        assertThat(watermarks.onMessage(message(Watermarks.high("src_a:4")))).isNull();
        assertThat(window.stored).isCompletedExceptionally();
    }

    @Test
    void aRowWhoseKeyChangedBetweenTheWatermarksIsLeftToTheStreamUnderItsOldKeyToo() {
        Watermarks.Window window = watermarks.expect("src_a:5", ORDERS);
        watermarks.onMessage(message(Watermarks.low("src_a:5")));
        watermarks.observe(List.of(event(Operation.UPDATE, "public", "orders", "public.orders[\"9\"]", "public.orders[\"1\"]")));
        watermarks.ready(window, List.of(row("public.orders[\"1\"]"), row("public.orders[\"2\"]")), c -> null);

        assertThat(watermarks.onMessage(message(Watermarks.high("src_a:5"))).unchangedRows()).extracting(TableChunks.Row::rowKey)
                .containsExactly("public.orders[\"2\"]");
    }

    @Test
    void aTruncateBetweenTheWatermarksDropsTheWholeChunkSoNoDeletedRowComesBack() {
        Watermarks.Window window = watermarks.expect("src_a:6", ORDERS);
        watermarks.onMessage(message(Watermarks.low("src_a:6")));
        watermarks.observe(List.of(event(Operation.TRUNCATE, "public", "orders", "public.orders", null)));
        watermarks.ready(window, List.of(row("public.orders[\"1\"]"), row("public.orders[\"2\"]")), c -> null);

        assertThat(watermarks.onMessage(message(Watermarks.high("src_a:6"))).unchangedRows()).isEmpty();
    }

    private static LogicalMessage message(byte[] content) {
        return new LogicalMessage(true, Lsn.ZERO, Watermarks.PREFIX, content);
    }

    private static TableChunks.Row row(String rowKey) {
        return new TableChunks.Row(rowKey, JsonValue.objectBuilder().build());
    }

    private static EncodedEvent change(String schema, String table, String rowKey) {
        return event(Operation.UPDATE, schema, table, rowKey, null);
    }

    private static EncodedEvent event(Operation op, String schema, String table, String rowKey, String oldRowKey) {
        return new EncodedEvent(EventId.of(1, Lsn.ZERO, 0), "src_a", Lsn.ZERO, 0, Instant.EPOCH, schema, table, op,
                rowKey, oldRowKey, new byte[0]);
    }
}
