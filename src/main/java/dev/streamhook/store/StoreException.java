package dev.streamhook.store;

/** The store could not do what was asked: a failed statement or an unreadable data directory. */
public final class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
