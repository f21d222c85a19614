package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(10));

    @Test
    void delaysDoubleWithJitterUpToTheCap() {
        for (int i = 0; i < 100; i++) {
            assertThat(policy.delayAfter(1).toMillis()).isBetween(800L, 1200L);
            assertThat(policy.delayAfter(3).toMillis()).isBetween(3200L, 4800L);
            assertThat(policy.delayAfter(30).toMillis()).isBetween(8000L, 12000L);
        }
    }

    @Test
    void aDeliveryIsExhaustedAfterItsLastAttempt() {
        assertThat(policy.exhausted(4)).isFalse();
        assertThat(policy.exhausted(5)).isTrue();
    }
}
