package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy standard = new RetryPolicy(RetryPolicy.DEFAULT_MAX_ATTEMPTS, RetryPolicy.DEFAULT_SCHEDULE);

    @Test
    void theDefaultScheduleKeepsTryingForAboutThreeDays() {
        assertThat(standard.scheduled(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(standard.scheduled(2)).isEqualTo(Duration.ofMinutes(5));
        assertThat(standard.scheduled(5)).isEqualTo(Duration.ofHours(5));
        assertThat(standard.scheduled(6)).isEqualTo(Duration.ofHours(10));
        assertThat(standard.scheduled(11)).isEqualTo(Duration.ofHours(10));
        // 5 s + 5 min + 30 min + 2 h + 5 h + 6 x 10 h
        assertThat(standard.span()).isEqualTo(Duration.ofHours(67).plusMinutes(35).plusSeconds(5));
        assertThat(standard.span()).isBetween(Duration.ofDays(2).plusHours(12), Duration.ofDays(3).plusHours(12));
    }

    @Test
    void everyDelayIsJitteredByAtMostTwentyPercent() {
        boolean varied = false;
        long first = standard.delayAfter(2).toMillis();
        for (int i = 0; i < 200; i++) {
            long d = standard.delayAfter(2).toMillis();
            assertThat(d).isBetween(240_000L, 360_000L);
            varied |= d != first;
        }
        assertThat(varied).as("jitter spreads retries").isTrue();
    }

    @Test
    void theLastDelayOfAShortScheduleRepeats() {
        RetryPolicy own = new RetryPolicy(5, List.of(Duration.ofSeconds(1), Duration.ofSeconds(10)));
        assertThat(own.scheduled(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(own.scheduled(4)).isEqualTo(Duration.ofSeconds(10));
        assertThat(own.span()).isEqualTo(Duration.ofSeconds(31));
    }

    @Test
    void aDeliveryIsExhaustedAfterItsLastAttempt() {
        RetryPolicy own = new RetryPolicy(5, List.of(Duration.ofSeconds(1)));
        assertThat(own.exhausted(4)).isFalse();
        assertThat(own.exhausted(5)).isTrue();
    }

    @Test
    void retryAfterWaitsLongerThanTheScheduleAsksButWithinOneSecondToOneHour() {
        RetryPolicy quick = new RetryPolicy(5, List.of(Duration.ofMillis(10)));
        assertThat(quick.delayAfter(1, Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
        assertThat(quick.delayAfter(1, Duration.ZERO)).isEqualTo(Duration.ofSeconds(1));
        assertThat(quick.delayAfter(1, Duration.ofDays(2))).isEqualTo(Duration.ofHours(1));
        // a schedule longer than the wait asked wins
        assertThat(standard.delayAfter(6, Duration.ofSeconds(3))).isGreaterThan(Duration.ofHours(7));
    }

    @Test
    void retryAfterIsReadInSecondsOrAsAnHttpDate() {
        Instant now = Instant.parse("2015-10-21T07:27:00Z");
        assertThat(RetryPolicy.parseRetryAfter("120", now)).contains(Duration.ofSeconds(120));
        assertThat(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now)).contains(Duration.ofSeconds(60));
        assertThat(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now)).contains(Duration.ZERO);
        assertThat(RetryPolicy.parseRetryAfter("soon", now)).isEmpty();
        assertThat(RetryPolicy.parseRetryAfter(null, now)).isEmpty();
    }
}
