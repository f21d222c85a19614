package dev.streamhook.capture.pgoutput;

/**
 * The bytes are not a pgoutput version 1 message. The message names the message type and the
 * byte offset, counted from the message's type byte (offset 0).
 */
public final class PgOutputDecodeException extends RuntimeException {

    PgOutputDecodeException(String message) {
        super(message);
    }

    PgOutputDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
