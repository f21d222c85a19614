package dev.streamhook.api;

/** A request the API refuses: bad input, no or wrong key, or something that does not exist. */
public final class ApiException extends RuntimeException {

    public enum Reason { INVALID_REQUEST, UNAUTHORIZED, NOT_FOUND, CONFLICT }

    private final Reason reason;
    private final String param;

    public ApiException(Reason reason, String param, String message) {
        super(message);
        this.reason = reason;
        this.param = param;
    }

    public static ApiException invalid(String param, String message) {
        return new ApiException(Reason.INVALID_REQUEST, param, message);
    }

    public static ApiException notFound(String what, String id) {
        return new ApiException(Reason.NOT_FOUND, null, "no " + what + " with id '" + id + "'");
    }

    public Reason reason() {
        return reason;
    }

    public String param() {
        return param;
    }
}
