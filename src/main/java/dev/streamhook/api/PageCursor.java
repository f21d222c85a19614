package dev.streamhook.api;

import dev.streamhook.store.SecretBox;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Optional;

/**
 * The {@code next_cursor} of {@code GET /v1/events}: where the next page starts, sealed with the
 * node's key (AES-GCM) and bound to the account. It is opaque (it does not show the store-wide
 * event sequence, which would let one account count others' events) and tamper-proof: an altered
 * cursor, or one from another account, is refused. Layout before sealing: a version byte, then the
 * sequence number as 8 bytes. Thread-safe.
 */
final class PageCursor {

    private static final byte VERSION = 1;
    private final SecretBox secrets;

    PageCursor(SecretBox secrets) {
        this.secrets = secrets;
    }

    String encode(String accountId, long beforeSeq) {
        byte[] plain = ByteBuffer.allocate(9).put(VERSION).putLong(beforeSeq).array();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secrets.seal(plain, context(accountId)));
    }

    /** The sequence the next page starts below; 400 naming {@code cursor} when it is not this account's cursor. */
    long decode(String accountId, String cursor) {
        Optional<byte[]> plain;
        try {
            plain = secrets.open(Base64.getUrlDecoder().decode(cursor), context(accountId));
        } catch (IllegalArgumentException notBase64) {
            plain = Optional.empty();
        }
        if (plain.isEmpty() || plain.get().length != 9 || plain.get()[0] != VERSION) {
            throw ApiException.invalid("cursor", "'cursor' is not a next_cursor this account was given (it was altered, "
                    + "comes from another account or node key, or is not a cursor); start again without a cursor");
        }
        return ByteBuffer.wrap(plain.get(), 1, 8).getLong();
    }

    private static String context(String accountId) {
        return "events-cursor:" + accountId;
    }
}
