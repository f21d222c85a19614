package dev.streamhook.delivery;

import dev.streamhook.store.Signing;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The signature headers of one attempt, as {@code docs/signatures.md} documents them for receivers.
 *
 * <ul>
 *   <li>{@code X-StreamHook-Signature: sha256=<hex>} with the current secret: always exactly one
 *       value, as the product page shows, so the page's snippet keeps working.</li>
 *   <li>{@code X-StreamHook-Signature-Previous: sha256=<hex>} with the previous secret, only while a
 *       rotation's grace period lasts: a receiver still holding the old secret accepts either header.</li>
 *   <li>Standard Webhooks: {@code webhook-id} (the event id, the same on every attempt),
 *       {@code webhook-timestamp} (unix seconds of this attempt) and {@code webhook-signature}:
 *       {@code v1,<base64>} per secret, separated by spaces, current first. Only secrets in the
 *       {@code whsec_<base64>} form sign here; the API accepts no other for these schemes.</li>
 * </ul>
 *
 * <p>Pure and thread-safe: the secrets that sign are those of {@link Signing#secretsAt} at the
 * attempt's start, so a previous secret stops being sent the moment its grace period ends.
 */
final class SignatureHeaders {

    static final String STREAMHOOK = "X-StreamHook-Signature";
    static final String STREAMHOOK_PREVIOUS = "X-StreamHook-Signature-Previous";

    private SignatureHeaders() {
    }

    /** The headers for a delivery of {@code eventId} with {@code body}, attempted at {@code startedMillis}; empty when unsigned. */
    static Map<String, String> of(Signing signing, String eventId, long startedMillis, byte[] body) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> secrets = signing.secretsAt(startedMillis);
        if (secrets.isEmpty()) {
            return out;
        }
        if (signing.scheme().sendsStreamHook()) {
            out.put(STREAMHOOK, Signer.sign(secrets.get(0), body));
            if (secrets.size() > 1) {
                out.put(STREAMHOOK_PREVIOUS, Signer.sign(secrets.get(1), body));
            }
        }
        if (signing.scheme().sendsStandardWebhooks()) {
            long timestamp = startedMillis / 1000;
            String signatures = secrets.stream()
                    .filter(s -> Signing.standardKey(s).isPresent())
                    .map(s -> Signer.signStandard(s, eventId, timestamp, body))
                    .collect(Collectors.joining(" "));
            if (!signatures.isEmpty()) {
                out.put("webhook-id", eventId);
                out.put("webhook-timestamp", Long.toString(timestamp));
                out.put("webhook-signature", signatures);
            }
        }
        return out;
    }
}
