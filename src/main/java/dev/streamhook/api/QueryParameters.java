package dev.streamhook.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query parameters each route takes, as the OpenAPI document lists them (the document is the
 * one list: {@code OpenApiIT} keeps it true to the routes). A parameter the route does not take, or
 * one given twice, is refused with 400 naming it, as an unknown body field is: ignored, a typo
 * would change what a call does unseen ({@code DELETE ...?forse=true} keeping the source,
 * {@code ?limit=5&limit=500} answering with whichever one was read). Immutable; built once.
 */
final class QueryParameters {

    private final Map<String, Set<String>> byRoute;

    private QueryParameters(Map<String, Set<String>> byRoute) {
        this.byRoute = byRoute;
    }

    /** The {@code in: query} parameters of every operation of the OpenAPI document {@code json}. */
    static QueryParameters of(byte[] json) {
        try {
            return of(Json.MAPPER.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("openapi.json is not JSON", e);
        }
    }

    /** The {@code in: query} parameters of every operation of {@code openApi}, keyed {@code "GET /v1/events"}. */
    static QueryParameters of(JsonNode openApi) {
        Map<String, Set<String>> byRoute = new HashMap<>();
        openApi.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            Set<String> names = new TreeSet<>();
            for (JsonNode parameter : operation.getValue().path("parameters")) {
                JsonNode p = parameter.has("$ref") ? openApi.at(parameter.get("$ref").asText().substring(1)) : parameter;
                if (p.path("in").asText().equals("query")) {
                    names.add(p.path("name").asText());
                }
            }
            byRoute.put(operation.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey(), Set.copyOf(names));
        }));
        return new QueryParameters(Map.copyOf(byRoute));
    }

    /**
     * Before a matched {@code /v1} route: 400 for a query parameter it does not take, one given
     * twice, or a value longer than {@link Json.Max#TEXT} or holding a control character (none is
     * meaningful in an id, a table name or a cursor, and a NUL is refused by a PostgreSQL store: it
     * would be a 500).
     */
    void check(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        Set<String> allowed = byRoute.getOrDefault(endpoint.method.name() + " " + endpoint.path, Set.of());
        for (Map.Entry<String, List<String>> p : ctx.queryParamMap().entrySet()) {
            String name = p.getKey();
            if (name.length() > Json.Max.NAME || name.chars().anyMatch(Character::isISOControl)) {
                // not echoed: it is no parameter's name
                throw ApiException.invalid(null, "a query parameter's name is longer than " + Json.Max.NAME
                        + " characters or holds a control character");
            }
            if (!allowed.contains(name)) {
                throw ApiException.invalid(name, "unknown query parameter '" + name + "'; "
                        + (allowed.isEmpty() ? "this call takes none" : "this call takes " + String.join(", ", new TreeSet<>(allowed))));
            }
            if (p.getValue().size() > 1) {
                throw ApiException.invalid(name, "the query parameter '" + name + "' is given " + p.getValue().size() + " times; give it once");
            }
            Json.checkText(name, p.getValue().getFirst(), Json.Max.TEXT);
        }
    }

    /** A yes-or-no query parameter: absent or {@code false} is false, {@code true} is true, anything else a 400 naming it. */
    static boolean flag(Context ctx, String name) {
        String text = ctx.queryParam(name);
        if (text == null || text.equals("false")) {
            return false;
        }
        if (text.equals("true")) {
            return true;
        }
        throw ApiException.invalid(name, "'" + name + "' must be true or false");
    }
}
