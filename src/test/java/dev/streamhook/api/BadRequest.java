package dev.streamhook.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * One row of the bad-input table ({@link BadInputIT}): a request and the 4xx it must get, with the
 * field its error must name ({@code param}; null when no field is at fault). Paths may hold the
 * fixture's ids as placeholders: {@code {src}}, {@code {dst}}, {@code {evt}}, {@code {bf}},
 * {@code {key}}, {@code {account}} for the caller's own objects and {@code {other_src}},
 * {@code {other_dst}}, {@code {other_evt}}, {@code {other_bf}}, {@code {other_key}},
 * {@code {other_account}} for another account's.
 */
record BadRequest(String name, Caller caller, String method, String path, String contentType, String body, Map<String, String> headers,
                  int status, String param) {

    /** Who sends the request: the fixture's user, the node's admin, nobody, or a key the node never issued. */
    enum Caller { USER, ADMIN, ANONYMOUS, UNKNOWN_KEY }

    static final String JSON = "application/json";
    /** A value far beyond every length limit. */
    static final String LONG = "x".repeat(100_000);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static BadRequest get(String name, String path, int status, String param) {
        return new BadRequest(name, Caller.USER, "GET", path, null, null, Map.of(), status, param);
    }

    static BadRequest delete(String name, String path, int status, String param) {
        return new BadRequest(name, Caller.USER, "DELETE", path, null, null, Map.of(), status, param);
    }

    static BadRequest post(String name, String path, String body, int status, String param) {
        return new BadRequest(name, Caller.USER, "POST", path, JSON, body, Map.of(), status, param);
    }

    static BadRequest patch(String name, String path, String body, int status, String param) {
        return new BadRequest(name, Caller.USER, "PATCH", path, JSON, body, Map.of(), status, param);
    }

    /** A body that is not JSON, which every route that takes a body refuses with 415 before reading it. */
    static BadRequest plainText(String name, String method, String path) {
        return new BadRequest(name, Caller.USER, method, path, "text/plain", "{}", Map.of(), 415, null);
    }

    BadRequest by(Caller who) {
        return new BadRequest(name, who, method, path, contentType, body, headers, status, param);
    }

    BadRequest withHeader(String header, String value) {
        return new BadRequest(name, caller, method, path, contentType, body, Map.of(header, value), status, param);
    }

    /** The route template this request is for: the path without its query, each placeholder a path parameter. */
    String pathWithoutQuery() {
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    /** {@code s} as a JSON string literal, quotes and escapes included. */
    static String q(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
