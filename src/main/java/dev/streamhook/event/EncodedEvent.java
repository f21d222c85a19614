package dev.streamhook.event;

/**
 * A change event with its webhook body, encoded once at capture: every attempt sends these bytes,
 * and their size is what bounds how much capture holds in memory.
 */
public record EncodedEvent(ChangeEvent event, byte[] body) {

    public static EncodedEvent of(ChangeEvent event) {
        return new EncodedEvent(event, WebhookPayload.encode(event));
    }
}
