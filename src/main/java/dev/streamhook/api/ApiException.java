package dev.streamhook.api;

/**
 * A request the API refuses: bad input, no or wrong key, a key that may not do this, something that
 * does not exist, a body that is not JSON, or too many requests (with the seconds to wait).
 */
public final class ApiException extends RuntimeException {

    public enum Reason { INVALID_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, UNSUPPORTED_MEDIA_TYPE, RATE_LIMITED }

    private final Reason reason;
    private final String param;
    private final long retryAfterSeconds;

    public ApiException(Reason reason, String param, String message) {
        this(reason, param, message, 0);
    }

    private ApiException(Reason reason, String param, String message, long retryAfterSeconds) {
        super(message);
        this.reason = reason;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException rateLimited(String message, long retryAfterSeconds) {
        return new ApiException(Reason.RATE_LIMITED, null, message + "; retry in " + retryAfterSeconds + " s", retryAfterSeconds);
    }

    public static ApiException invalid(String param, String message) {
        return new ApiException(Reason.INVALID_REQUEST, param, message);
    }

    public static ApiException notFound(String what, String id) {
        return new ApiException(Reason.NOT_FOUND, null, "no " + what + " with id '" + shortened(id) + "'");
    }

    /** The longest piece of a request (an id, a path) an error message repeats: enough to recognise it, never a huge value echoed. */
    private static final int ECHOED = 100;

    /** {@code text} as an error message may repeat it: its first {@value #ECHOED} characters, then "..." if there were more. */
    static String shortened(String text) {
        return text.length() <= ECHOED ? text : text.substring(0, ECHOED) + "...";
    }

    public Reason reason() {
        return reason;
    }

    /** For {@link Reason#RATE_LIMITED}: whole seconds until a request will be taken again. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public String param() {
        return param;
    }
}
