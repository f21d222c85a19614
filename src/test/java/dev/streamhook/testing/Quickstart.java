package dev.streamhook.testing;

import static org.assertj.core.api.Assertions.assertThat;

/** Sets up an account, a source on {@code table} and a destination at {@code url}, as the quickstart does. */
public final class Quickstart {

    private Quickstart() {
    }

    /** Returns the new source id. */
    public static String sourceWithDestination(ApiClient api, TestDb db, String table, String url, String secret) {
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "test source", "type": "postgresql", "connection_uri": "%s", "tables": ["%s"]}
                """.formatted(db.uri(), table));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        String sourceId = source.text("id");
        ApiClient.Response destination = api.post("/v1/sources/" + sourceId + "/destinations", """
                {"url": "%s", "secret": "%s"}
                """.formatted(url, secret));
        assertThat(destination.status()).as(destination.body().toString()).isEqualTo(201);
        return sourceId;
    }

    /** Waits until the source has captured an event and returns the id of its newest one. */
    public static String awaitNewestEventId(ApiClient api, String sourceId) {
        return org.awaitility.Awaitility.await("an event of " + sourceId + " is captured").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> api.get("/v1/events?source_id=" + sourceId).body().at("/data/0/id").asText(null), java.util.Objects::nonNull);
    }
}
