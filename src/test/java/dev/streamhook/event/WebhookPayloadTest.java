package dev.streamhook.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.event.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookPayloadTest {

    private static ChangeEvent update(List<String> unchanged, Instant at) {
        JsonValue before = JsonValue.objectBuilder().put("id", JsonValue.of(42)).put("status", JsonValue.of("pending")).build();
        JsonValue after = JsonValue.objectBuilder().put("id", JsonValue.of(42)).put("status", JsonValue.of("shipped")).build();
        return ChangeEvent.row(new EventId("evt_a1b2c3d4e5f6"), "src_xyz789", Lsn.parse("0/1A2B3C4"), 4_000_000_001L, 3, at,
                "myapp_production", "public", "orders", Operation.UPDATE, before, after, unchanged, "public.orders[\"42\"]");
    }

    @Test
    void theBodyHasThePagesFieldsInThePagesOrder() {
        String body = new String(WebhookPayload.encode(update(List.of(), Instant.parse("2026-03-13T10:30:00.123Z"))), StandardCharsets.UTF_8);
        assertThat(body).isEqualTo("{\"id\":\"evt_a1b2c3d4e5f6\",\"timestamp\":\"2026-03-13T10:30:00.123Z\","
                + "\"source\":{\"database\":\"myapp_production\",\"schema\":\"public\",\"table\":\"orders\"},\"operation\":\"UPDATE\","
                + "\"before\":{\"id\":42,\"status\":\"pending\"},\"after\":{\"id\":42,\"status\":\"shipped\"},"
                + "\"metadata\":{\"source_id\":\"src_xyz789\",\"connector\":\"postgresql\",\"lsn\":\"0/1A2B3C4\",\"xid\":4000000001,"
                + "\"position\":3,\"snapshot\":false}}");
    }

    @Test
    void unchangedToastedColumnsAreNamedInTheMetadata() {
        String body = new String(WebhookPayload.encode(update(List.of("big_text"), Instant.parse("2026-03-13T10:30:00Z"))), StandardCharsets.UTF_8);
        assertThat(body).endsWith("\"snapshot\":false,\"unchanged_columns\":[\"big_text\"]}}");
    }

    @Test
    void aTruncateHasNoRowImagesAndCarriesItsOptionsLastInTheMetadata() {
        ChangeEvent truncate = new ChangeEvent(new EventId("evt_a1b2c3d4e5f6"), "src_xyz789", Lsn.parse("0/1A2B3C4"), 731, 1,
                Instant.parse("2026-03-13T10:30:00Z"), "myapp_production", "public", "orders", Operation.TRUNCATE,
                JsonValue.NULL, JsonValue.NULL, List.of(), "public.orders", null, new ChangeEvent.TruncateOptions(true, false), false);
        String body = new String(WebhookPayload.encode(truncate), StandardCharsets.UTF_8);
        assertThat(body).isEqualTo("{\"id\":\"evt_a1b2c3d4e5f6\",\"timestamp\":\"2026-03-13T10:30:00.000Z\","
                + "\"source\":{\"database\":\"myapp_production\",\"schema\":\"public\",\"table\":\"orders\"},\"operation\":\"TRUNCATE\","
                + "\"before\":null,\"after\":null,\"metadata\":{\"source_id\":\"src_xyz789\",\"connector\":\"postgresql\","
                + "\"lsn\":\"0/1A2B3C4\",\"xid\":731,\"position\":1,\"snapshot\":false,\"cascade\":true,\"restart_identity\":false}}");
    }

    @Test
    void commitTimesKeepMillisecondsAlwaysAndMicrosecondsWhenThereAreAny() {
        assertThat(WebhookPayload.isoUtc(Instant.parse("2026-03-13T10:30:00Z"))).isEqualTo("2026-03-13T10:30:00.000Z");
        assertThat(WebhookPayload.isoUtc(Instant.parse("2026-03-13T10:30:00.123Z"))).isEqualTo("2026-03-13T10:30:00.123Z");
        assertThat(WebhookPayload.isoUtc(Instant.parse("2026-03-13T10:30:00.123456Z"))).isEqualTo("2026-03-13T10:30:00.123456Z");
    }

    @Test
    void commitTimesAreWrittenAsJavaScriptsToIsoStringWouldForAnyInstantOfYearsZeroTo9999() {
        java.util.Random random = new java.util.Random(7);
        java.time.format.DateTimeFormatter millis = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC);
        java.time.format.DateTimeFormatter micros = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
                .withZone(java.time.ZoneOffset.UTC);
        long first = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long last = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 10_000; i++) {
            long micro = random.nextInt(3) == 0 ? random.nextInt(1000) * 1000L : random.nextInt(1_000_000);
            Instant t = Instant.ofEpochSecond(first + (long) (random.nextDouble() * (last - first)), micro * 1000);
            assertThat(WebhookPayload.isoUtc(t)).isEqualTo((micro % 1000 == 0 ? millis : micros).format(t));
        }
    }
}
