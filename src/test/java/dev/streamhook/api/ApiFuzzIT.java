package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random requests against every endpoint for a fixed time budget ({@code -Dstreamhook.fuzz.seconds},
 * 20 by default; the seed is printed and can be replayed with {@code -Dstreamhook.fuzz.seed}). Bodies
 * are built from valid ones by dropping, duplicating, retyping and corrupting fields and bytes. Every
 * answer must be a JSON object, an error must be a 4xx (or the 502/503 of an unreachable source) with
 * an error type and message, never a 500, and the server must be healthy at the end. Addresses in the
 * palettes are all on 127.0.0.1 or refused ones, so no request leaves the machine.
 */
@Timeout(300)
class ApiFuzzIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] STRINGS = {"", " ", "x", "orders", "public.orders", "a.b.c", "\u0000", "\r\nX-Injected: 1",
        "\"", "\\", "💥", "\uD800", "x".repeat(5_000), "http://127.0.0.1:9/hooks", "https://127.0.0.1:9/", "ftp://127.0.0.1/",
        "http://169.254.169.254/", "http://[::ffff:169.254.169.254]/", "http://0.0.0.0/", "postgres://u:p@127.0.0.1:1/db",
        "postgres://u@127.0.0.1:1/db?connect_timeout=9999", "postgres:///db", "mysql://127.0.0.1/db", "%00", "../../etc/passwd",
        "INSERT", "update", "evt_000000000000000000000000", "src_x", "dst_x", "whsec_x", "Authorization", "Content-Type"};
    private static final String[] FIELDS = {"email", "name", "type", "connection_uri", "tables", "url", "secret", "headers",
        "max_in_flight", "status", "unknown"};

    @TempDir
    Path dataDir;

    @Test
    void randomRequestsNeverBreakTheServer() {
        long seed = Long.getLong("streamhook.fuzz.seed", System.nanoTime());
        long seconds = Long.getLong("streamhook.fuzz.seconds", 20);
        System.out.println("ApiFuzzIT seed " + seed + " (replay with -Dstreamhook.fuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        try (TestDb db = TestPostgres.embedded().createDatabase()) {
            db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
            try (Main.Node node = TestNodes.start(dataDir)) {
                ApiClient api = new ApiClient(node.port()).signUp("fuzz@example.com");
                String src = Quickstart.sourceWithDestination(api, db, "orders", "http://127.0.0.1:9/hooks", "whsec_fuzz");
                String dst = api.get("/v1/sources/" + src + "/destinations").body().at("/data/0/id").asText();
                List<String> paths = List.of("/v1/accounts", "/v1/sources", "/v1/sources/" + src, "/v1/sources/" + src + "/destinations",
                        "/v1/sources/" + src + "/destinations/" + dst, "/v1/events", "/v1/events/evt_000000000000000000000000",
                        "/v1/events/evt_000000000000000000000000/retry", "/v1/usage", "/v1/sources/src_x", "/v1/sources/" + src + "/destinations/dst_x");
                List<String> failures = new ArrayList<>();
                long deadline = System.nanoTime() + seconds * 1_000_000_000L;
                int requests = 0;
                while (System.nanoTime() < deadline && failures.size() < 5) {
                    String method = pick(random, new String[] {"GET", "POST", "PATCH", "DELETE", "POST", "PATCH"});
                    if (method.equals("DELETE") && random.nextInt(4) != 0) {
                        continue; // deleting the source and destination every time would leave little to fuzz
                    }
                    String path = pick(random, paths.toArray(String[]::new)) + (random.nextInt(3) == 0 ? query(random) : "");
                    String body = method.equals("GET") || method.equals("DELETE") ? null : body(random);
                    String type = random.nextInt(10) == 0 ? pick(random, new String[] {"text/plain", "application/x-www-form-urlencoded", null})
                            : "application/json";
                    ApiClient.RawResponse r = api.raw(method, path, type, body);
                    requests++;
                    String problem = problem(r);
                    if (problem != null) {
                        failures.add(method + " " + path + " " + body + " -> " + r.status() + " " + r.text() + ": " + problem);
                    }
                }
                System.out.println("ApiFuzzIT sent " + requests + " requests");
                assertThat(failures).as("seed " + seed).isEmpty();
                assertThat(api.get("/healthz").status()).isEqualTo(200);
                assertThat(api.get("/v1/sources").status()).isEqualTo(200);
            }
        }
    }

    /** What is wrong with an answer, or null. */
    private static String problem(ApiClient.RawResponse r) {
        JsonNode json;
        try {
            json = MAPPER.readTree(r.text());
        } catch (java.io.IOException e) {
            return "not JSON";
        }
        if (json == null || !json.isObject()) {
            return "not a JSON object";
        }
        if (r.status() < 400) {
            return null;
        }
        if (r.status() >= 500 && r.status() != 502 && r.status() != 503) {
            return "a server error";
        }
        JsonNode error = json.path("error");
        if (error.path("type").asText().isBlank() || error.path("message").asText().isBlank()) {
            return "an error without a type and message";
        }
        return error.path("message").asText().contains("Exception") ? "an exception in the message" : null;
    }

    private static String body(Random random) {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return pick(random, new String[] {"", "{", "[]", "null", "1", "\"x\"", "{\"a\":", "{}{}", "{\"email\":\"a@b.co\"}"});
        }
        StringBuilder json = new StringBuilder("{");
        int fields = random.nextInt(5);
        for (int i = 0; i < fields; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append(quote(pick(random, FIELDS))).append(':').append(value(random, 0));
        }
        json.append('}');
        String text = json.toString();
        if (kind == 1 && !text.isEmpty()) { // corrupt one byte
            int at = random.nextInt(text.length());
            text = text.substring(0, at) + (char) random.nextInt(128) + text.substring(at + 1);
        }
        return text;
    }

    private static String value(Random random, int depth) {
        return switch (random.nextInt(depth > 3 ? 5 : 8)) {
            case 0 -> quote(pick(random, STRINGS));
            case 1 -> Long.toString(random.nextLong() >> random.nextInt(64));
            case 2 -> random.nextBoolean() ? "true" : "false";
            case 3 -> "null";
            case 4 -> Double.toString(random.nextGaussian() * 1e300);
            case 5 -> "[" + value(random, depth + 1) + "," + value(random, depth + 1) + "]";
            case 6 -> "{" + quote(pick(random, STRINGS)) + ":" + value(random, depth + 1) + "}";
            default -> quote(pick(random, STRINGS));
        };
    }

    private static String query(Random random) {
        String[] params = {"limit", "cursor", "operation", "table", "source_id", "destination_id", "status", "force", "created_after"};
        return "?" + pick(random, params) + "=" + java.net.URLEncoder.encode(pick(random, STRINGS), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T pick(Random random, T[] options) {
        return options[random.nextInt(options.length)];
    }
}
