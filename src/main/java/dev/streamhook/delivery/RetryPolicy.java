package dev.streamhook.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a failed delivery is tried again: exponential backoff from {@code base}, capped at
 * {@code max}, with ±20% jitter so that many failures against one endpoint do not return together.
 * After {@code maxAttempts} attempts the delivery is failed and waits for a manual retry.
 */
public record RetryPolicy(int maxAttempts, Duration base, Duration max) {

    /** True when a delivery that has now made {@code attemptsMade} attempts gets no automatic retry. */
    public boolean exhausted(int attemptsMade) {
        return attemptsMade >= maxAttempts;
    }

    /** Delay before the next attempt after {@code attemptsMade} failed attempts (1 or more). */
    public Duration delayAfter(int attemptsMade) {
        double exp = base.toMillis() * Math.pow(2, Math.min(30, attemptsMade - 1));
        double capped = Math.min(exp, max.toMillis());
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis(Math.max(1, Math.round(capped * jitter)));
    }
}
