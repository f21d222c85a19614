package dev.streamhook.api;

import dev.streamhook.store.IdempotencyKeys;
import dev.streamhook.store.IdempotencyKeys.Answer;
import dev.streamhook.store.IdempotencyKeys.Claim;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The {@code Idempotency-Key} header on POSTs that create or retry something: the same key with the
 * same request (method, path and body) from the same account within 24 hours gets the first
 * successful answer again, status and body, without the work being done twice; the same key with
 * another request is refused with 409. A request that failed leaves no trace of its key, so it
 * may be retried with it. Keys are per account. Thread-safe; built once by Main.
 */
public final class Idempotency {

    static final String HEADER = "Idempotency-Key";
    private static final int MAX_KEY_LENGTH = 255;
    private final IdempotencyKeys keys;

    public Idempotency(IdempotencyKeys keys) {
        this.keys = keys;
    }

    /** {@code handler}, answering from the stored first answer when the request carries a used key. */
    Handler wrap(Handler handler) {
        return ctx -> {
            String key = ctx.header(HEADER);
            if (key == null) {
                handler.handle(ctx);
                return;
            }
            if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(ch -> ch >= 0x21 && ch <= 0x7e)) {
                throw ApiException.invalid(HEADER, "the Idempotency-Key header must be 1 to " + MAX_KEY_LENGTH
                        + " printable ASCII characters without spaces, such as a UUID");
            }
            String account = ApiServer.account(ctx).id();
            switch (keys.claim(account, key, requestHash(ctx), System.currentTimeMillis())) {
                case Claim.Replay replay -> {
                    ctx.header("Idempotent-Replayed", "true");
                    Json.respondRaw(ctx, replay.answer().status(), replay.answer().body().getBytes(StandardCharsets.UTF_8));
                }
                case Claim.Mismatch mismatch -> throw new ApiException(ApiException.Reason.CONFLICT, HEADER,
                        "this Idempotency-Key was already used for a different request (another path or body); use a new key for a new request");
                case Claim.InProgress busy -> throw new ApiException(ApiException.Reason.CONFLICT, HEADER,
                        "a request with this Idempotency-Key is still running; try again when it has finished");
                case Claim.Claimed claimed -> run(handler, ctx, account, key);
            }
        };
    }

    private void run(Handler handler, Context ctx, String account, String key) throws Exception {
        try {
            handler.handle(ctx);
        } catch (Exception | Error e) {
            keys.release(account, key);
            throw e;
        }
        byte[] body = Json.responseBody(ctx);
        if (ctx.statusCode() >= 200 && ctx.statusCode() < 300 && body != null) {
            keys.complete(account, key, new Answer(ctx.statusCode(), new String(body, StandardCharsets.UTF_8)));
        } else {
            keys.release(account, key);
        }
    }

    private static String requestHash(Context ctx) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((ctx.method() + " " + ctx.path() + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(ctx.bodyAsBytes());
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
