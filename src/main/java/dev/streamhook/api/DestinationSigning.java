package dev.streamhook.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamhook.store.Destinations;
import dev.streamhook.store.Destinations.Destination;
import dev.streamhook.store.Destinations.PreviousSecret;
import dev.streamhook.store.Signing;
import io.javalin.http.Context;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A destination's signing settings in the API: {@code signature_scheme}, secret rotation with a
 * grace period ({@code previous_secret_expires_in}, {@code POST .../rotate_secret}) and the
 * fields answers show. See {@code docs/signatures.md}.
 *
 * <p>Rotation: when the secret changes to another secret, the one it replaces keeps signing beside
 * it for the grace period ({@code STREAMHOOK_SECRET_ROTATION_GRACE}, or
 * {@code previous_secret_expires_in} seconds; 0 drops it at once). Only one previous secret is
 * kept: rotating again replaces it. Clearing the secret ({@code null}) drops both. Sending
 * {@code previous_secret_expires_in} without a new secret moves the running grace period's end.
 * Thread-safe (stateless but for its settings).
 */
public final class DestinationSigning {

    static final Set<String> CREATE_FIELDS = Set.of("signature_scheme");
    static final Set<String> UPDATE_FIELDS = Set.of("signature_scheme", "previous_secret_expires_in");
    /** The longest grace a request may ask for: 30 days. */
    static final int MAX_EXPIRES_IN_SECONDS = 30 * 86_400;
    private static final int GENERATED_KEY_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Duration grace;

    /** {@code grace}: how long a replaced secret keeps signing unless a request says otherwise. */
    public DestinationSigning(Duration grace) {
        this.grace = grace;
    }

    /** The scheme a new destination asks for (the page's {@code streamhook} unless named), checked against its secret. */
    static Signing.Scheme forCreate(ObjectNode body, String secret) {
        Signing.Scheme scheme = scheme(body, Signing.Scheme.STREAMHOOK);
        check(scheme, secret, body.has("secret") ? "secret" : "signature_scheme");
        return scheme;
    }

    /**
     * {@code updated} (the PATCH's other fields applied to {@code current}) with the scheme and
     * previous secret the PATCH asks for: a changed secret starts a grace period for the one it replaces.
     */
    Destination forUpdate(Destination current, Destination updated, ObjectNode body, long now) {
        Integer expiresIn = Json.optionalInt(body, "previous_secret_expires_in", 0, MAX_EXPIRES_IN_SECONDS);
        Signing.Scheme scheme = scheme(body, current.signatureScheme());
        check(scheme, updated.secret(), body.has("secret") ? "secret" : "signature_scheme");
        PreviousSecret previous;
        if (Objects.equals(updated.secret(), current.secret())) {
            previous = live(current.previous(), now);
            if (previous != null && expiresIn != null) {
                previous = expiresIn == 0 ? null : new PreviousSecret(previous.secret(), previous.hint(), now + expiresIn * 1000L);
            }
        } else {
            previous = replaced(current, updated.secret(), expiresIn, now);
        }
        return updated.withSigning(scheme, previous);
    }

    /**
     * {@code POST .../rotate_secret}: a new random secret in the {@code whsec_<base64>} form (good
     * for every scheme), answered once in {@code secret} beside the destination. Not idempotent by
     * key on purpose: a replayed answer would have to be stored, and it holds the secret.
     */
    void rotate(Context ctx, Function<Context, Destination> owned, Destinations destinations) {
        Destination current = owned.apply(ctx);
        ObjectNode body = ctx.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.object(ctx, Set.of("previous_secret_expires_in"));
        Integer expiresIn = Json.optionalInt(body, "previous_secret_expires_in", 0, MAX_EXPIRES_IN_SECONDS);
        byte[] key = new byte[GENERATED_KEY_BYTES];
        RANDOM.nextBytes(key);
        String secret = Signing.STANDARD_PREFIX + Base64.getEncoder().encodeToString(key);
        Arrays.fill(key, (byte) 0);
        long now = System.currentTimeMillis();
        Destination rotated = current.withSecret(secret, DestinationRoutes.hint(secret))
                .withSigning(current.signatureScheme(), replaced(current, secret, expiresIn, now));
        destinations.upsert(rotated);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("secret", secret);
        out.put("destination", DestinationRoutes.view(rotated));
        Json.respond(ctx, 200, out);
    }

    /** The signing fields of a destination's answer; a previous secret past its grace period shows as none. */
    static void describe(Destination d, Map<String, Object> out, long now) {
        out.put("signature_scheme", d.signatureScheme().wireName());
        PreviousSecret previous = live(d.previous(), now);
        out.put("previous_secret", previous == null ? null : previous.hint());
        out.put("previous_secret_expires_at", previous == null ? null : Json.time(previous.expiresAt()));
    }

    /** The current secret as the previous one, when a new secret replaces it; none when there was none or the grace is 0. */
    private PreviousSecret replaced(Destination current, String newSecret, Integer expiresIn, long now) {
        if (current.secret() == null || newSecret == null) {
            return null; // signing starts or stops: there is nothing for a receiver to carry over
        }
        long millis = expiresIn == null ? grace.toMillis() : expiresIn * 1000L;
        return millis == 0 ? null : new PreviousSecret(current.secret(), current.secretHint(), now + millis);
    }

    private static PreviousSecret live(PreviousSecret previous, long now) {
        return previous != null && now < previous.expiresAt() ? previous : null;
    }

    private static Signing.Scheme scheme(ObjectNode body, Signing.Scheme fallback) {
        if (!body.has("signature_scheme") || body.get("signature_scheme").isNull()) {
            return body.has("signature_scheme") ? Signing.Scheme.STREAMHOOK : fallback;
        }
        String rule = "'signature_scheme' must be \"streamhook\" (the X-StreamHook-Signature header), \"standard_webhooks\" "
                + "(webhook-id, webhook-timestamp, webhook-signature) or \"both\"";
        if (!body.get("signature_scheme").isTextual()) {
            throw ApiException.invalid("signature_scheme", rule);
        }
        return Signing.Scheme.fromWireName(body.get("signature_scheme").asText())
                .orElseThrow(() -> ApiException.invalid("signature_scheme", rule));
    }

    /** A Standard Webhooks scheme needs a secret in its {@code whsec_<base64>} form; {@code param} is the field to blame. */
    private static void check(Signing.Scheme scheme, String secret, String param) {
        if (scheme.sendsStandardWebhooks() && Signing.standardKey(secret).isEmpty()) {
            throw ApiException.invalid(param, "'signature_scheme' \"" + scheme.wireName() + "\" needs a 'secret' of the form whsec_ "
                    + "and the base64 of " + Signing.STANDARD_MIN_KEY_BYTES + " to " + Signing.STANDARD_MAX_KEY_BYTES
                    + " random bytes (as the Standard Webhooks specification asks); POST .../rotate_secret makes one"
                    + (secret == null ? ", or set \"signature_scheme\": \"streamhook\" to send unsigned"
                    : ", or keep \"streamhook\" for this secret"));
        }
    }
}
