package dev.streamhook.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Request bodies for {@link ApiFuzzIT}: JSON objects of the fields the API takes, each with a value
 * likely for that field (so the checks behind the first one are reached) or a random one; sometimes
 * a byte corrupted, sometimes not an object at all. Not thread-safe: one per run, on its seed.
 */
final class FuzzBodies {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] STRINGS = {"", " ", "x", "orders", "public.orders", "a.b.c", "*", "\u0000", "\r\nX-Injected: 1",
        "\"", "\\", "💥", "\uD800", "x".repeat(5_000), "http://127.0.0.1:9/hooks", "https://127.0.0.1:9/", "ftp://127.0.0.1/",
        "http://169.254.169.254/", "http://[::ffff:169.254.169.254]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:a9fe:a9fe::1]/",
        "http://0.0.0.0/", "http://240.0.0.1/", "postgres://u:p@127.0.0.1:1/db", "postgres://u@127.0.0.1:1/db?connect_timeout=9999",
        "postgres:///db", "postgres://u:p@[64:ff9b::a9fe:a9fe]/db", "postgres://u:p@198.18.0.1/db", "mysql://127.0.0.1/db", "%00",
        "../../etc/passwd", "INSERT", "update", "evt_000000000000000000000000", "src_x", "dst_x", "whsec_x",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "Authorization", "Content-Type", "2026-01-01T00:00:00Z", "2026-13-01T00:00:00Z",
        "unlimited", "paused", "active", "disabled", "failed", "hold", "skip", "standard_webhooks", "both", "streamhook", "full", "default"};
    /** Each field the API takes, with values likely for it (JSON text). */
    private static final Map<String, List<String>> FIELDS = Map.ofEntries(
            Map.entry("email", List.of("\"a@b.co\"", "\"fuzz@example.com\"", "\"not an email\"")),
            Map.entry("name", List.of("\"shop\"", "\"\"")),
            Map.entry("type", List.of("\"postgresql\"", "\"mysql\"")),
            Map.entry("connection_uri", List.of("\"postgres://u:p@127.0.0.1:1/db\"", "\"postgres://u:p@240.0.0.1/db\"")),
            Map.entry("tables", List.of("[\"orders\"]", "\"*\"", "[\"*\", \"orders\"]", "[]")),
            Map.entry("snapshot", List.of("true", "false", "\"yes\"")),
            Map.entry("status", List.of("\"paused\"", "\"active\"", "\"disabled\"", "\"failed\"")),
            Map.entry("replica_identity", List.of("{\"orders\": \"full\"}", "{\"orders\": \"nothing\"}", "{\"nowhere\": \"default\"}")),
            Map.entry("url", List.of("\"http://127.0.0.1:9/hooks\"", "\"http://[2002:a9fe:a9fe::1]/\"", "\"http://100.64.0.1/\"")),
            Map.entry("secret", List.of("\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"", "\"short\"", "null")),
            Map.entry("headers", List.of("{\"Authorization\": \"Bearer abcdefghijklmnop\"}", "{\"Host\": \"x\"}", "{\"X-A\": 1}", "null")),
            Map.entry("max_in_flight", List.of("1", "0", "1024", "1025")),
            Map.entry("operations", List.of("[\"INSERT\"]", "[\"insert\", \"TRUNCATE\"]", "[]", "[\"UPSERT\"]", "null")),
            Map.entry("retry", List.of("{\"max_attempts\": 3, \"schedule\": [0.5, 2]}", "{\"max_attempts\": 0}", "{\"schedule\": [604801]}",
                    "{\"backoff\": 1}", "null")),
            Map.entry("timeout_ms", List.of("100", "30000", "99", "30001", "null")),
            Map.entry("connect_timeout_ms", List.of("100", "5000", "99", "null")),
            Map.entry("batch", List.of("{\"max_events\": 10, \"max_wait_ms\": 0}", "{\"max_events\": 501}", "{}", "null")),
            Map.entry("signature_scheme", List.of("\"streamhook\"", "\"standard_webhooks\"", "\"both\"", "\"hmac\"", "null")),
            Map.entry("on_failure", List.of("\"hold\"", "\"skip\"", "\"drop\"", "null")),
            Map.entry("previous_secret_expires_in", List.of("0", "600", "-1", "2592001")),
            Map.entry("table", List.of("\"orders\"", "[\"orders\", \"public.orders\"]", "\"users\"", "[]")),
            Map.entry("from", List.of("\"2026-01-01T00:00:00Z\"", "\"yesterday\"")),
            Map.entry("to", List.of("\"2100-01-01T00:00:00Z\"", "\"2000-01-01T00:00:00Z\"")),
            Map.entry("force", List.of("true", "false", "\"yes\"")),
            Map.entry("destination_id", List.of("\"dst_x\"", "5")),
            Map.entry("monthly_event_limit", List.of("1000000", "\"unlimited\"", "null", "-1", "1.5")),
            Map.entry("api_key", List.of("\"sk_live_x\"")),
            Map.entry("password", List.of("\"correct horse battery\"", "\"short\"")),
            Map.entry("unknown", List.of("1")));
    /** Sorted: a Map.of's order changes from one JVM to the next, and a seed must replay the same run. */
    private static final List<String> FIELD_NAMES = FIELDS.keySet().stream().sorted().toList();

    private final Random random;

    FuzzBodies(Random random) {
        this.random = random;
    }

    /** The next body: mostly an object of known fields, at times a corrupted one or no object at all. */
    String next() {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return pick(List.of("", "{", "[]", "null", "1", "\"x\"", "{\"a\":", "{}{}", "{\"email\":\"a@b.co\"}", "{}"));
        }
        StringBuilder json = new StringBuilder("{");
        int fields = random.nextInt(6);
        for (int i = 0; i < fields; i++) {
            String field = pick(FIELD_NAMES);
            String value = random.nextBoolean() ? pick(FIELDS.get(field)) : value(0);
            json.append(i > 0 ? "," : "").append(quote(field)).append(':').append(value);
        }
        String text = json.append('}').toString();
        if (kind == 1) { // corrupt one character
            int at = random.nextInt(text.length());
            text = text.substring(0, at) + (char) random.nextInt(128) + text.substring(at + 1);
        }
        return text;
    }

    /** One of the palette's strings, for query values as well as bodies. */
    static String anyString(Random random) {
        return STRINGS[random.nextInt(STRINGS.length)];
    }

    private String value(int depth) {
        return switch (random.nextInt(depth > 3 ? 5 : 8)) {
            case 0, 7 -> quote(anyString(random));
            case 1 -> Long.toString(random.nextLong() >> random.nextInt(64));
            case 2 -> random.nextBoolean() ? "true" : "false";
            case 3 -> "null";
            case 4 -> Double.toString(random.nextGaussian() * 1e300);
            case 5 -> "[" + value(depth + 1) + "," + value(depth + 1) + "]";
            default -> "{" + quote(pick(FIELD_NAMES)) + ":" + value(depth + 1) + "}";
        };
    }

    private static String quote(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }
}
