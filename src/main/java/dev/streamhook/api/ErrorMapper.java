package dev.streamhook.api;

import dev.streamhook.capture.SourceException;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where errors become HTTP: a status and {@code {"error": {"type", "message", "param"}}}.
 * Unexpected exceptions are logged with their stack trace and answered with a plain 500; no stack
 * trace reaches a user.
 */
final class ErrorMapper {

    private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {
    }

    static void api(ApiException e, Context ctx) {
        int status = switch (e.reason()) {
            case INVALID_REQUEST -> 400;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case RATE_LIMITED -> 429;
        };
        if (e.reason() == ApiException.Reason.RATE_LIMITED) {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        write(ctx, status, e.reason().name().toLowerCase(), e.getMessage(), e.param());
    }

    static void source(SourceException e, Context ctx) {
        int status = switch (e.reason()) {
            case INVALID_CONNECTION_URI, ADDRESS_NOT_ALLOWED, INVALID_TABLE_NAME -> 400;
            case SOURCE_DATABASE_ERROR -> 502;
            case BUSY -> 503;
            default -> 422;
        };
        String param = e.param() != null ? e.param() : switch (e.reason()) {
            case INVALID_TABLE_NAME, TABLE_NOT_FOUND, TABLE_NOT_READABLE, TABLE_NOT_OWNED -> "tables";
            case TABLE_HAS_NO_PRIMARY_KEY -> "snapshot";
            case SOURCE_DATABASE_ERROR, REPLICATION_SLOTS_EXHAUSTED, BUSY -> null;
            default -> "connection_uri";
        };
        if (status == 503) {
            ctx.header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        }
        write(ctx, status, e.reason().name().toLowerCase(), e.getMessage(), param);
    }

    /** When to try again after a 503: about the capped time a source check takes. */
    private static final int RETRY_AFTER_SECONDS = 5;

    static void unexpected(Exception e, Context ctx) {
        log.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
        write(ctx, 500, "internal_error", "StreamHook failed to handle this request; the server log has the details", null);
    }

    static void write(Context ctx, int status, String type, String message, String param) {
        Json.respond(ctx, status, error(type, message, param));
    }

    /** The error as bytes, for an answer written outside Javalin ({@link JsonErrorHandler}). */
    static byte[] body(String type, String message, String param) {
        try {
            return Json.MAPPER.writeValueAsBytes(error(type, message, param));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("an error is a map of strings", e);
        }
    }

    private static Map<String, Object> error(String type, String message, String param) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", type);
        error.put("message", message);
        if (param != null) {
            error.put("param", param);
        }
        return Map.of("error", error);
    }
}
