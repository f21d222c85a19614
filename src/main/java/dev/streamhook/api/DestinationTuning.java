package dev.streamhook.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamhook.delivery.WebhookSender;
import dev.streamhook.store.Destinations;
import dev.streamhook.store.Destinations.Batch;
import dev.streamhook.store.Destinations.Destination;
import dev.streamhook.store.Destinations.Tuning;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A destination's retry, timeout and batch fields ({@code retry}, {@code timeout_ms},
 * {@code connect_timeout_ms}, {@code batch}) and its {@code status}, read from and written to the API's JSON.
 * Pure functions; a bad value is a 400 naming the field.
 */
final class DestinationTuning {

    static final int MAX_ATTEMPTS_LIMIT = 100;
    static final int SCHEDULE_LIMIT = 50;
    static final long LONGEST_DELAY_SECONDS = 7 * 86_400;
    static final int SHORTEST_TIMEOUT_MS = 100;
    /** Half a lane's window, so a lane can fill a batch while the one before it is out. */
    static final int MAX_BATCH_EVENTS = 500;
    static final int MAX_BATCH_WAIT_MS = 10_000;
    static final int DEFAULT_BATCH_WAIT_MS = 100;

    private DestinationTuning() {
    }

    /**
     * The tuning {@code body} asks for, each field left out keeping {@code current}'s value and
     * null restoring the node's setting. {@code retry} is null or an object with
     * {@code max_attempts} (1-100) and {@code schedule} (1-50 delays in seconds, fractions down to
     * a millisecond, each 0.001 to 604800); either may be left out or null.
     */
    static Tuning read(ObjectNode body, Tuning current) {
        Integer maxAttempts = current.maxAttempts();
        List<Duration> schedule = current.retrySchedule();
        if (body.has("retry")) {
            JsonNode retry = body.get("retry");
            maxAttempts = null;
            schedule = null;
            if (!retry.isNull()) {
                if (!retry.isObject()) {
                    throw ApiException.invalid("retry", "'retry' must be an object such as {\"max_attempts\": 8, \"schedule\": [5, 300, 1800]}, "
                            + "or null for the node's settings");
                }
                for (Iterator<String> names = retry.fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    if (!name.equals("max_attempts") && !name.equals("schedule")) {
                        throw ApiException.invalid("retry." + name, "'retry' takes only 'max_attempts' and 'schedule', not '" + name + "'");
                    }
                }
                JsonNode max = retry.get("max_attempts");
                if (max != null && !max.isNull() && (!max.isIntegralNumber() || !max.canConvertToInt() || max.asInt() < 1
                        || max.asInt() > MAX_ATTEMPTS_LIMIT)) {
                    throw ApiException.invalid("retry.max_attempts", "'retry.max_attempts' must be a whole number from 1 to " + MAX_ATTEMPTS_LIMIT
                            + " (attempts before a delivery is failed, the first included), or null for the node's");
                }
                maxAttempts = max == null || max.isNull() ? null : max.asInt();
                schedule = schedule(retry.get("schedule"));
            }
        }
        Integer timeout = body.has("timeout_ms")
                ? Json.optionalInt(body, "timeout_ms", SHORTEST_TIMEOUT_MS, (int) WebhookSender.MAX_DESTINATION_TIMEOUT.toMillis())
                : current.timeoutMs();
        Integer connect = body.has("connect_timeout_ms")
                ? Json.optionalInt(body, "connect_timeout_ms", SHORTEST_TIMEOUT_MS, (int) WebhookSender.MAX_DESTINATION_TIMEOUT.toMillis())
                : current.connectTimeoutMs();
        if (timeout != null && connect != null && connect > timeout) {
            throw ApiException.invalid("connect_timeout_ms", "'connect_timeout_ms' (" + connect + ") must not exceed 'timeout_ms' (" + timeout
                    + "): the connection is part of the attempt");
        }
        Batch batch = body.has("batch") ? batch(body.get("batch")) : current.batch();
        return new Tuning(maxAttempts, schedule, timeout, connect, batch);
    }

    /**
     * {@code batch}: null (one event per request) or {@code {"max_events": 1-500, "max_wait_ms": 0-10000}},
     * {@code max_wait_ms} defaulting to {@value #DEFAULT_BATCH_WAIT_MS}.
     */
    private static Batch batch(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        String rule = "'batch' must be an object such as {\"max_events\": 100, \"max_wait_ms\": 200} (max_events 1-" + MAX_BATCH_EVENTS
                + ", max_wait_ms 0-" + MAX_BATCH_WAIT_MS + ", default " + DEFAULT_BATCH_WAIT_MS + "), or null for one event per request";
        if (!v.isObject()) {
            throw ApiException.invalid("batch", rule);
        }
        for (Iterator<String> names = v.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("max_events") && !name.equals("max_wait_ms")) {
                throw ApiException.invalid("batch." + name, "'batch' takes only 'max_events' and 'max_wait_ms', not '" + name + "'");
            }
        }
        JsonNode events = v.get("max_events");
        if (events == null || !events.isIntegralNumber() || !events.canConvertToInt() || events.asInt() < 1 || events.asInt() > MAX_BATCH_EVENTS) {
            throw ApiException.invalid("batch.max_events", "'batch.max_events' must be a whole number from 1 to " + MAX_BATCH_EVENTS
                    + ": the most events one request carries");
        }
        JsonNode wait = v.get("max_wait_ms");
        if (wait != null && !wait.isNull() && (!wait.isIntegralNumber() || !wait.canConvertToInt() || wait.asInt() < 0
                || wait.asInt() > MAX_BATCH_WAIT_MS)) {
            throw ApiException.invalid("batch.max_wait_ms", "'batch.max_wait_ms' must be a whole number from 0 to " + MAX_BATCH_WAIT_MS
                    + ": how long an event that could go waits for others to join its request");
        }
        return new Batch(events.asInt(), wait == null || wait.isNull() ? DEFAULT_BATCH_WAIT_MS : wait.asInt());
    }

    private static List<Duration> schedule(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        String rule = "'retry.schedule' must be an array of 1 to " + SCHEDULE_LIMIT + " delays in seconds between attempts "
                + "(0.001 to " + LONGEST_DELAY_SECONDS + "; the last repeats), such as [5, 300, 1800, 7200, 18000, 36000]";
        if (!v.isArray() || v.isEmpty() || v.size() > SCHEDULE_LIMIT) {
            throw ApiException.invalid("retry.schedule", rule);
        }
        List<Duration> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isNumber()) {
                throw ApiException.invalid("retry.schedule", rule);
            }
            BigDecimal millis = item.decimalValue().multiply(BigDecimal.valueOf(1000));
            if (millis.compareTo(BigDecimal.ONE) < 0 || millis.compareTo(BigDecimal.valueOf(LONGEST_DELAY_SECONDS * 1000)) > 0) {
                throw ApiException.invalid("retry.schedule", rule);
            }
            out.add(Duration.ofMillis(millis.longValue()));
        }
        return out;
    }

    /** Whole seconds as a whole number, else with their milliseconds. */
    private static Number seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? (Number) (d.toMillis() / 1000) : (Number) (d.toMillis() / 1000.0);
    }

    /** {@code status} of a PATCH: {@code active} or {@code paused}; {@code disabled} is StreamHook's to set. */
    static Destinations.Status status(ObjectNode body) {
        JsonNode v = body.get("status");
        String text = v != null && v.isTextual() ? v.asText().toLowerCase(Locale.ROOT) : "";
        return switch (text) {
            case "active" -> Destinations.Status.ACTIVE;
            case "paused" -> Destinations.Status.PAUSED;
            default -> throw ApiException.invalid("status", "'status' must be \"active\" (deliver, also to enable a disabled destination) "
                    + "or \"paused\" (hold its deliveries, in order); \"disabled\" is set by StreamHook only");
        };
    }

    /** Adds the destination's tuning and status fields to its view. */
    static void view(Destination d, Map<String, Object> out) {
        Tuning t = d.tuning();
        if (t.maxAttempts() == null && t.retrySchedule() == null) {
            out.put("retry", null); // the node's STREAMHOOK_DELIVERY_MAX_ATTEMPTS and STREAMHOOK_DELIVERY_RETRY_SCHEDULE
        } else {
            Map<String, Object> retry = new LinkedHashMap<>();
            retry.put("max_attempts", t.maxAttempts());
            retry.put("schedule", t.retrySchedule() == null ? null
                    : t.retrySchedule().stream().map(DestinationTuning::seconds).toList());
            out.put("retry", retry);
        }
        out.put("timeout_ms", t.timeoutMs()); // null: STREAMHOOK_DELIVERY_TIMEOUT_MS
        out.put("connect_timeout_ms", t.connectTimeoutMs());
        Map<String, Object> batch = null; // null: one event per request
        if (t.batch() != null) {
            batch = new LinkedHashMap<>();
            batch.put("max_events", t.batch().maxEvents());
            batch.put("max_wait_ms", t.batch().maxWaitMs());
        }
        out.put("batch", batch);
        out.put("status", d.state().status().name().toLowerCase(Locale.ROOT));
        out.put("disabled_reason", d.state().disabledReason());
        out.put("disabled_at", Json.time(d.state().disabledAt()));
    }
}
