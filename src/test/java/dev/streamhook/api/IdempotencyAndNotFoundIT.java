package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Idempotency-Key} on the POSTs that create or retry, and 404s that name what is missing. */
class IdempotencyAndNotFoundIT {

    @TempDir
    Path dataDir;
    private TestDb db;
    private Main.Node node;
    private ApiClient api;
    private ApiClient other;
    private String sourceBody;

    @BeforeEach
    void start() {
        db = TestPostgres.embedded().createDatabase();
        db.execute("CREATE TABLE orders (id int PRIMARY KEY)");
        node = TestNodes.start(dataDir);
        api = new ApiClient(node.port()).signUp("idem@example.com");
        other = new ApiClient(node.port()).signUp("idem-other@example.com");
        sourceBody = "{\"name\": \"shop\", \"connection_uri\": \"" + db.uri() + "\", \"tables\": [\"orders\"]}";
    }

    @AfterEach
    void stop() {
        node.close();
        db.close();
    }

    @Test
    void aRepeatedCreateWithTheSameKeyGetsTheFirstAnswerAndCreatesNothingMore() {
        ApiClient.Response first = api.post("/v1/sources", sourceBody, "create-shop-1");
        ApiClient.Response again = api.post("/v1/sources", sourceBody, "create-shop-1");

        assertThat(first.status()).as(first.body().toString()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(api.get("/v1/sources").body().path("data")).hasSize(1);

        String destinations = "/v1/sources/" + first.text("id") + "/destinations";
        String destination = "{\"url\": \"http://127.0.0.1:9/hooks\", \"headers\": {\"Authorization\": \"Bearer abcdefghijklmnopqrstuvwxyz\"}}";
        ApiClient.Response d1 = api.post(destinations, destination, "dest-1");
        ApiClient.Response d2 = api.post(destinations, destination, "dest-1");
        assertThat(d2.body()).isEqualTo(d1.body());
        assertThat(api.get(destinations).body().path("data")).hasSize(1);
    }

    @Test
    void aRepeatedBackfillWithTheSameKeyStartsOneBackfillAndTheKeyWithAnotherTableIsRefused() {
        String backfills = "/v1/sources/" + api.post("/v1/sources", sourceBody).text("id") + "/backfills";

        ApiClient.Response first = api.post(backfills, "{\"table\": \"orders\"}", "backfill-orders-1");
        ApiClient.Response again = api.post(backfills, "{\"table\": \"orders\"}", "backfill-orders-1");
        ApiClient.Response otherTable = api.post(backfills, "{\"table\": \"public.orders\"}", "backfill-orders-1");

        assertThat(first.status()).as(first.body().toString()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.body()).as("the first answer, the same backfill").isEqualTo(first.body());
        assertThat(otherTable.status()).isEqualTo(409);
        assertThat(otherTable.body().at("/error/param").asText()).isEqualTo("Idempotency-Key");
        assertThat(otherTable.body().at("/error/message").asText()).contains("different request");
        assertThat(api.get(backfills).body().path("data")).as("one backfill was started").hasSize(1);
    }

    @Test
    void twoTriesAtOnceWithOneKeyCreateOneSource() throws Exception {
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<ApiClient.Response> a = pool.submit(() -> api.post("/v1/sources", sourceBody, "at-once"));
            Future<ApiClient.Response> b = pool.submit(() -> api.post("/v1/sources", sourceBody, "at-once"));
            List<Integer> statuses = List.of(a.get().status(), b.get().status());

            assertThat(statuses).contains(201).allMatch(s -> s == 201 || s == 409);
        }
        assertThat(api.get("/v1/sources").body().path("data")).hasSize(1);
        assertThat(api.post("/v1/sources", sourceBody, "at-once").status()).as("and later, the first answer").isEqualTo(201);
        assertThat(api.get("/v1/sources").body().path("data")).hasSize(1);
    }

    @Test
    void theSameKeyWithAnotherRequestIsRefusedWith409() {
        assertThat(api.post("/v1/sources", sourceBody, "key-reused").status()).isEqualTo(201);

        ApiClient.Response reused = api.post("/v1/sources", sourceBody.replace("shop", "other shop"), "key-reused");

        assertThat(reused.status()).isEqualTo(409);
        assertThat(reused.body().at("/error/type").asText()).isEqualTo("conflict");
        assertThat(reused.body().at("/error/param").asText()).isEqualTo("Idempotency-Key");
        assertThat(reused.body().at("/error/message").asText()).contains("different request");
        assertThat(api.get("/v1/sources").body().path("data")).hasSize(1);
    }

    @Test
    void keysBelongToTheirAccount() {
        ApiClient.Response mine = api.post("/v1/sources", sourceBody, "shared-key");
        ApiClient.Response theirs = other.post("/v1/sources", sourceBody.replace("shop", "their shop"), "shared-key");

        assertThat(theirs.status()).as(theirs.body().toString()).isEqualTo(201);
        assertThat(theirs.text("id")).isNotEqualTo(mine.text("id"));
        assertThat(other.get("/v1/sources").body().path("data")).hasSize(1);
    }

    @Test
    void aFailedRequestLeavesItsKeyFreeForAFixedRetry() {
        String id = api.post("/v1/sources", sourceBody).text("id");
        String destinations = "/v1/sources/" + id + "/destinations";

        assertThat(api.post(destinations, "{\"url\": \"ftp://nope\"}", "fix-and-retry").status()).isEqualTo(400);
        ApiClient.Response fixed = api.post(destinations, "{\"url\": \"http://127.0.0.1:9/hooks\"}", "fix-and-retry");

        assertThat(fixed.status()).as(fixed.body().toString()).isEqualTo(201);
        assertThat(api.post(destinations, "{\"url\": \"http://127.0.0.1:9/hooks\"}", "  ").status()).as("a blank key").isEqualTo(400);
    }

    @Test
    void everyRouteAnswers404NamingTheMissingObjectAlsoForAnotherAccountsIds() {
        String source = api.post("/v1/sources", sourceBody).text("id");
        String destination = api.post("/v1/sources/" + source + "/destinations", "{\"url\": \"http://127.0.0.1:9/hooks\"}").text("id");
        String dst = "/v1/sources/" + source + "/destinations/" + destination;
        String url = "{\"url\": \"http://127.0.0.1:9/x\"}";
        Object[][] cases = {
            {api.get("/v1/sources/src_missing000"), "no source with id 'src_missing000'"},
            {api.patch("/v1/sources/src_missing000", "{\"name\": \"x\"}"), "no source with id 'src_missing000'"},
            {api.delete("/v1/sources/src_missing000"), "no source with id 'src_missing000'"},
            {api.get("/v1/sources/src_missing000/destinations"), "no source with id 'src_missing000'"},
            {api.post("/v1/sources/src_missing000/destinations", url), "no source with id 'src_missing000'"},
            {api.get("/v1/sources/" + source + "/destinations/dst_missing000"), "no destination with id 'dst_missing000'"},
            {api.patch("/v1/sources/" + source + "/destinations/dst_missing000", url), "no destination with id 'dst_missing000'"},
            {api.delete("/v1/sources/" + source + "/destinations/dst_missing000"), "no destination with id 'dst_missing000'"},
            {api.get("/v1/events/evt_missing000"), "no event with id 'evt_missing000'"},
            {api.post("/v1/events/evt_missing000/retry", ""), "no event with id 'evt_missing000'"},
            // another account's ids are missing to this one, named as such
            {other.get("/v1/sources/" + source), "no source with id '" + source + "'"},
            {other.patch("/v1/sources/" + source, "{\"status\": \"paused\"}"), "no source with id '" + source + "'"},
            {other.delete("/v1/sources/" + source), "no source with id '" + source + "'"},
            {other.get(dst), "no source with id '" + source + "'"},
            {other.patch(dst, url), "no source with id '" + source + "'"},
            {other.delete(dst), "no source with id '" + source + "'"},
        };
        for (Object[] c : cases) {
            ApiClient.Response r = (ApiClient.Response) c[0];
            assertThat(r.status()).as(r.body().toString()).isEqualTo(404);
            assertThat(r.body().at("/error/type").asText()).isEqualTo("not_found");
            assertThat(r.body().at("/error/message").asText()).isEqualTo(c[1]);
        }
        ApiClient.Response noRoute = api.get("/v1/nothing-here");
        assertThat(noRoute.status()).isEqualTo(404);
        assertThat(noRoute.body().at("/error/message").asText()).isEqualTo("no route GET /v1/nothing-here");
        assertThat(api.get(dst).status()).as("the owner still sees it").isEqualTo(200);
    }
}
