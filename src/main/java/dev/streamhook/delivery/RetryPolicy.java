package dev.streamhook.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a failed delivery is tried again: the first attempt goes at once, then each retry waits the
 * next delay of {@code schedule} (its last delay repeats), with ±20% jitter so that many failures
 * against one endpoint do not come back together. After {@code maxAttempts} attempts the delivery
 * is failed and waits for a manual retry.
 *
 * <p>The default, {@link #DEFAULT_SCHEDULE} with 12 attempts, is Svix's: 5 s, 5 min, 30 min, 2 h,
 * 5 h, then 10 h six times, about 2.8 days from the first attempt to the last. An endpoint that
 * answers 429 or 503 with {@code Retry-After} is not tried again before it asks (clamped to
 * {@link #RETRY_AFTER_MIN}..{@link #RETRY_AFTER_MAX}), nor before the schedule says.
 *
 * <p>Immutable and thread-safe.
 */
public record RetryPolicy(int maxAttempts, List<Duration> schedule) {

    public static final List<Duration> DEFAULT_SCHEDULE = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5),
            Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10));
    public static final int DEFAULT_MAX_ATTEMPTS = 12;
    /** Each delay is drawn from [80%, 120%] of the scheduled one. */
    public static final double JITTER = 0.2;
    public static final Duration RETRY_AFTER_MIN = Duration.ofSeconds(1);
    public static final Duration RETRY_AFTER_MAX = Duration.ofHours(1);

    public RetryPolicy {
        if (maxAttempts < 1 || schedule.isEmpty()) {
            throw new IllegalArgumentException("a retry policy makes at least one attempt and has at least one delay");
        }
        schedule = List.copyOf(schedule);
    }

    /** This node-wide policy as a destination's own settings change it (each null keeps the node's). */
    public RetryPolicy forDestination(dev.streamhook.store.Destinations.Tuning tuning) {
        if (tuning.maxAttempts() == null && tuning.retrySchedule() == null) {
            return this;
        }
        return new RetryPolicy(tuning.maxAttempts() == null ? maxAttempts : tuning.maxAttempts(),
                tuning.retrySchedule() == null ? schedule : tuning.retrySchedule());
    }

    /** True when a delivery that has now made {@code attemptsMade} attempts gets no automatic retry. */
    public boolean exhausted(int attemptsMade) {
        return attemptsMade >= maxAttempts;
    }

    /** The delay the schedule gives after {@code attemptsMade} failed attempts (1 or more), before jitter. */
    public Duration scheduled(int attemptsMade) {
        return schedule.get(Math.max(0, Math.min(attemptsMade, schedule.size()) - 1));
    }

    /** Delay before the next attempt after {@code attemptsMade} failed attempts (1 or more), jittered. */
    public Duration delayAfter(int attemptsMade) {
        double jitter = 1 - JITTER + ThreadLocalRandom.current().nextDouble() * 2 * JITTER;
        return Duration.ofMillis(Math.max(1, Math.round(scheduled(attemptsMade).toMillis() * jitter)));
    }

    /**
     * As {@link #delayAfter(int)}, but not shorter than what the endpoint asked with
     * {@code Retry-After} ({@code retryAfter}, null when it did not), clamped to 1 s..1 h.
     */
    public Duration delayAfter(int attemptsMade, Duration retryAfter) {
        Duration scheduled = delayAfter(attemptsMade);
        if (retryAfter == null) {
            return scheduled;
        }
        Duration asked = bounded(retryAfter);
        return asked.compareTo(scheduled) > 0 ? asked : scheduled;
    }

    /** A {@code Retry-After} wait clamped to {@link #RETRY_AFTER_MIN}..{@link #RETRY_AFTER_MAX}. */
    public static Duration bounded(Duration retryAfter) {
        return retryAfter.compareTo(RETRY_AFTER_MIN) < 0 ? RETRY_AFTER_MIN
                : retryAfter.compareTo(RETRY_AFTER_MAX) > 0 ? RETRY_AFTER_MAX : retryAfter;
    }

    /** The time from the first attempt to the last, without jitter: what the schedule promises to keep trying for. */
    public Duration span() {
        Duration total = Duration.ZERO;
        for (int made = 1; made < maxAttempts; made++) {
            total = total.plus(scheduled(made));
        }
        return total;
    }

    /**
     * A {@code Retry-After} header's wait: delay-seconds ({@code 120}) or an HTTP date
     * ({@code Wed, 21 Oct 2015 07:28:00 GMT}) measured from {@code now}; empty when absent or
     * unreadable. Not clamped here.
     */
    public static Optional<Duration> parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String v = header.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            return v.length() > 9 ? Optional.of(Duration.ofSeconds(999_999_999L)) : Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(now, at);
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
