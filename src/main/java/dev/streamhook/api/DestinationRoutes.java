package dev.streamhook.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamhook.delivery.HeaderRules;
import dev.streamhook.event.Operation;
import dev.streamhook.net.AddressPolicy;
import dev.streamhook.store.Destinations;
import dev.streamhook.store.Destinations.Destination;
import dev.streamhook.store.Destinations.OnFailure;
import dev.streamhook.store.Destinations.Tuning;
import dev.streamhook.store.Ids;
import dev.streamhook.store.Signing;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/sources/:id/destinations}: where a source's events are POSTed. The signing secret and
 * header values are write-only: answers show a masked hint of each, never the value.
 *
 * <p>PATCH semantics, per field: left out, the setting stays as it is; {@code null} clears it where
 * that means something ({@code secret}: send unsigned; {@code headers}: no extra headers;
 * {@code max_in_flight}: the node's default; {@code operations}: all four; {@code retry},
 * {@code timeout_ms}, {@code connect_timeout_ms}: the node's settings), while {@code url}
 * cannot be cleared. {@code headers}
 * replaces the whole set; a value sent back exactly as an answer masked it keeps the stored value,
 * so reading a destination, changing one header and sending the set back loses no credential.
 */
public final class DestinationRoutes {

    private static final Set<String> FIELDS = Set.of("url", "secret", "headers", "max_in_flight", "operations", "retry", "timeout_ms",
            "connect_timeout_ms", "on_failure", "batch");
    private static final Set<String> CREATE_FIELDS = union(FIELDS, DestinationSigning.CREATE_FIELDS);
    /** PATCH also pauses and resumes. */
    private static final Set<String> UPDATE_FIELDS = union(union(FIELDS, DestinationSigning.UPDATE_FIELDS), Set.of("status"));
    private static final int MAX_IN_FLIGHT_LIMIT = 1024;
    private final Sources sources;
    private final Destinations destinations;
    private final AddressPolicy addressPolicy;
    private final boolean allowPlainHttp;
    private final Idempotency idempotency;
    private final DestinationSigning signing;

    /** {@code allowPlainHttp}: whether http:// URLs are accepted ({@code STREAMHOOK_ALLOW_HTTP_DESTINATIONS}); they always get a warning. */
    public DestinationRoutes(Sources sources, Destinations destinations, AddressPolicy addressPolicy, boolean allowPlainHttp,
                             Idempotency idempotency, DestinationSigning signing) {
        this.sources = sources;
        this.destinations = destinations;
        this.addressPolicy = addressPolicy;
        this.allowPlainHttp = allowPlainHttp;
        this.idempotency = idempotency;
        this.signing = signing;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/sources/{id}/destinations", idempotency.wrap(ctx -> {
            Source source = SourceRoutes.owned(ctx, sources, ctx.pathParam("id"));
            var body = Json.object(ctx, CREATE_FIELDS);
            String secret = secret(Json.optionalString(body, "secret", Json.Max.SECRET));
            Signing.Scheme scheme = DestinationSigning.forCreate(body, secret);
            Destination d = new Destination(Ids.random("dst_", 16), source.id(), url(Json.requiredString(body, "url", Json.Max.URL)), secret,
                    hint(secret), headers(Json.stringMap(body, "headers", Json.Max.HEADERS, Json.Max.HEADER_NAME, Json.Max.HEADER_VALUE)), Json.optionalInt(body, "max_in_flight", 1, MAX_IN_FLIGHT_LIMIT),
                    operations(body), System.currentTimeMillis()).with(DestinationTuning.read(body, Tuning.DEFAULTS)).withSigning(scheme, null)
                    .withOnFailure(onFailure(body, OnFailure.HOLD));
            destinations.upsert(d);
            Json.respond(ctx, 201, view(d));
        }));
        routes.get("/v1/sources/{id}/destinations", ctx -> {
            Source source = SourceRoutes.owned(ctx, sources, ctx.pathParam("id"));
            Json.respond(ctx, 200, Map.of("data", destinations.listBySource(source.id()).stream().map(DestinationRoutes::view).toList()));
        });
        routes.get("/v1/sources/{id}/destinations/{did}", ctx -> Json.respond(ctx, 200, view(owned(ctx))));
        routes.patch("/v1/sources/{id}/destinations/{did}", ctx -> {
            Destination d = owned(ctx);
            var body = Json.object(ctx, UPDATE_FIELDS);
            Destinations.Status status = body.has("status") ? DestinationTuning.status(body) : null;
            String url = body.has("url") ? url(Json.requiredString(body, "url", Json.Max.URL)) : d.url();
            String secret = body.has("secret") ? secret(Json.optionalString(body, "secret", Json.Max.SECRET)) : d.secret();
            Map<String, String> headers = body.has("headers") ? headers(keepMasked(Json.stringMap(body, "headers", Json.Max.HEADERS,
                    Json.Max.HEADER_NAME, Json.Max.HEADER_VALUE), d.headers())) : d.headers();
            Integer maxInFlight = body.has("max_in_flight") ? Json.optionalInt(body, "max_in_flight", 1, MAX_IN_FLIGHT_LIMIT) : d.maxInFlight();
            Set<Operation> operations = body.has("operations") ? operations(body) : d.operations();
            Destination updated = signing.forUpdate(d, new Destination(d.id(), d.sourceId(), url, secret, hint(secret), headers, maxInFlight,
                    operations, d.createdAt(), DestinationTuning.read(body, d.tuning()), d.state(), d.signatureScheme(), d.previous(),
                    onFailure(body, d.onFailure())), body, System.currentTimeMillis());
            destinations.upsert(updated);
            if (status != null && status != d.state().status()) {
                destinations.setStatus(d.id(), status, System.currentTimeMillis());
            }
            Json.respond(ctx, 200, view(destinations.find(d.sourceId(), d.id()).orElse(updated)));
        });
        routes.post("/v1/sources/{id}/destinations/{did}/rotate_secret", ctx -> signing.rotate(ctx, this::owned, destinations));
        routes.delete("/v1/sources/{id}/destinations/{did}", ctx -> {
            Destination d = owned(ctx);
            destinations.delete(d.id());
            Json.respond(ctx, 200, new Json.Deleted(d.id()));
        });
    }

    private Destination owned(Context ctx) {
        Source source = SourceRoutes.owned(ctx, sources, ctx.pathParam("id"));
        String did = ctx.pathParam("did");
        return destinations.find(source.id(), did).orElseThrow(() -> ApiException.notFound("destination", did));
    }

    private String url(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw ApiException.invalid("url", "'url' is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw ApiException.invalid("url", "'url' must be an absolute http:// or https:// URL with a host, such as https://yourapp.com/webhooks");
        }
        if (scheme.equals("http") && !allowPlainHttp) {
            throw ApiException.invalid("url", "'url' must be https://: this StreamHook does not send events over plain http:// "
                    + "(STREAMHOOK_ALLOW_HTTP_DESTINATIONS=false)");
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiException.invalid("url", "'url' must not carry credentials; put them in 'headers' (e.g. Authorization)");
        }
        addressPolicy.check(uri.getHost()).ifPresent(why -> {
            throw ApiException.invalid("url", "'url' is not allowed: " + why);
        });
        return text;
    }

    /**
     * The operations to send: absent or null, all four; else a non-empty array of INSERT, UPDATE,
     * DELETE and TRUNCATE (any case, repeats allowed).
     */
    private static Set<Operation> operations(ObjectNode body) {
        JsonNode v = body.get("operations");
        if (v == null || v.isNull()) {
            return Destinations.ALL_OPERATIONS;
        }
        String rule = "'operations' must be a non-empty array of \"INSERT\", \"UPDATE\", \"DELETE\" and \"TRUNCATE\" "
                + "(the events this destination is sent), or null for all four";
        if (!v.isArray() || v.isEmpty() || v.size() > 16) {
            throw ApiException.invalid("operations", rule);
        }
        EnumSet<Operation> out = EnumSet.noneOf(Operation.class);
        for (JsonNode item : v) {
            Operation op = item.isTextual() ? OPERATION_NAMES.get(item.asText().toUpperCase(Locale.ROOT)) : null;
            if (op == null) {
                throw ApiException.invalid("operations", rule);
            }
            out.add(op);
        }
        return out;
    }

    /** {@code on_failure}: "hold" (null too: the default) or "skip"; left out, {@code current}. */
    private static OnFailure onFailure(ObjectNode body, OnFailure current) {
        if (!body.has("on_failure")) {
            return current;
        }
        JsonNode v = body.get("on_failure");
        if (v.isNull()) {
            return OnFailure.HOLD;
        }
        String text = v.isTextual() ? v.asText().toLowerCase(Locale.ROOT) : "";
        return switch (text) {
            case "hold" -> OnFailure.HOLD;
            case "skip" -> OnFailure.SKIP;
            default -> throw ApiException.invalid("on_failure", "'on_failure' must be \"hold\" (later events of a row wait while an "
                    + "earlier one failed, until it is retried or skipped) or \"skip\" (they go on)");
        };
    }

    private static final Map<String, Operation> OPERATION_NAMES = Map.of(
            "INSERT", Operation.INSERT, "UPDATE", Operation.UPDATE, "DELETE", Operation.DELETE, "TRUNCATE", Operation.TRUNCATE);

    private static String secret(String secret) {
        if (secret != null && (secret.length() < 8 || secret.length() > 512)) {
            throw ApiException.invalid("secret", "'secret' must be 8 to 512 characters");
        }
        return secret;
    }

    private static Map<String, String> headers(Map<String, String> headers) {
        if (headers == null) {
            return Map.of();
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            HeaderRules.problem(h.getKey(), h.getValue()).ifPresent(why -> {
                throw ApiException.invalid("headers", why);
            });
        }
        return headers;
    }

    /** {@code sent}, with each value that is the mask of the stored value of that header replaced by the stored value. */
    private static Map<String, String> keepMasked(Map<String, String> sent, Map<String, String> stored) {
        if (sent == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        sent.forEach((name, value) -> {
            String current = stored.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
            out.put(name, current != null && value.equals(maskHeader(current)) ? current : value);
        });
        return out;
    }

    /** Authorization schemes shown before a masked credential: well known, so they reveal nothing. */
    private static final Set<String> AUTH_SCHEMES = Set.of("bearer", "basic", "token", "digest", "bot", "apikey", "key", "hmac");

    /**
     * A header value as answers show it: a known auth scheme kept ({@code Bearer }), the rest
     * hidden but for its last 4 characters when at least 12 stay hidden ({@code Bearer ****a1b2}).
     */
    static String maskHeader(String value) {
        int space = value.indexOf(' ');
        String scheme = space > 0 && AUTH_SCHEMES.contains(value.substring(0, space).toLowerCase(Locale.ROOT))
                ? value.substring(0, space + 1) : "";
        String rest = value.substring(scheme.length());
        return rest.length() >= 16 ? scheme + "****" + rest.substring(rest.length() - 4) : scheme + "****";
    }

    /** Enough of a secret to recognise it, never enough to use it. */
    static String hint(String secret) {
        if (secret == null) {
            return null;
        }
        int underscore = secret.indexOf('_');
        String prefix = underscore > 0 && underscore < 8 ? secret.substring(0, underscore + 1) : "";
        return secret.length() >= 16 ? prefix + "****" + secret.substring(secret.length() - 4) : prefix + "****";
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new java.util.HashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }

    static Map<String, Object> view(Destination d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", d.id());
        out.put("source_id", d.sourceId());
        out.put("url", d.url());
        out.put("warnings", d.url().regionMatches(true, 0, "http://", 0, 7)
                ? List.of("events are sent unencrypted (http://): anyone in the path can read and change them; use https://")
                : List.of());
        out.put("secret", d.secretHint());
        DestinationSigning.describe(d, out, System.currentTimeMillis());
        Map<String, String> masked = new LinkedHashMap<>();
        d.headers().forEach((name, value) -> masked.put(name, maskHeader(value)));
        out.put("headers", masked); // write-only values, like the secret
        out.put("max_in_flight", d.maxInFlight()); // null: the node's STREAMHOOK_DELIVERY_MAX_IN_FLIGHT
        out.put("operations", d.operations().stream().map(Operation::name).toList());
        DestinationTuning.view(d, out);
        out.put("on_failure", d.onFailure().name().toLowerCase(Locale.ROOT));
        out.put("created_at", Json.time(d.createdAt()));
        return out;
    }
}
