package dev.streamhook.capture;

/**
 * Why a source cannot be set up, reached or torn down. The message says how to fix it and is
 * safe to show to the user (no passwords, no stack traces); the API maps the reason to HTTP.
 */
public final class SourceException extends RuntimeException {

    public enum Reason {
        INVALID_CONNECTION_URI, ADDRESS_NOT_ALLOWED, UNREACHABLE, AUTHENTICATION_FAILED, CONNECTION_FAILED, DATABASE_NOT_FOUND,
        WAL_LEVEL_NOT_LOGICAL, REPLICATION_NOT_PERMITTED, INVALID_TABLE_NAME, TABLE_NOT_FOUND, TABLE_NOT_READABLE, TABLE_NOT_OWNED,
        REPLICATION_SLOTS_EXHAUSTED, SLOT_NOT_FOUND, SOURCE_DATABASE_ERROR,
        /** A snapshot or backfill needs a primary key to read the table in order by. */
        TABLE_HAS_NO_PRIMARY_KEY,
        /** Too many source databases are being checked at once; try again in a few seconds. */
        BUSY
    }

    private final Reason reason;
    /** The request field at fault when it is not the one the reason implies; else null. */
    private final String param;

    public SourceException(Reason reason, String message) {
        this(reason, message, (String) null);
    }

    public SourceException(Reason reason, String message, String param) {
        super(message);
        this.reason = reason;
        this.param = param;
    }

    public SourceException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.param = null;
    }

    public Reason reason() {
        return reason;
    }

    public String param() {
        return param;
    }
}
