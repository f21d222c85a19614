package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.store.DeliveryQueue.Status;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

    private final RetentionPolicy policy = new RetentionPolicy(Optional.of(Duration.ofDays(7)), Optional.of(Duration.ofDays(30)));

    @Test
    void anEventWithSomethingLeftToSendIsKeptWhateverItsAge() {
        assertThat(policy.keptUntil(0, List.of(Status.SUCCEEDED, Status.PENDING))).isEmpty();
        assertThat(policy.keptUntil(0, List.of(Status.FAILED, Status.HELD))).isEmpty();
    }

    @Test
    void aDeliveredEventIsKeptForTheDeliveredPeriodAndAFailedOneForTheFailedPeriod() {
        assertThat(policy.keptUntil(1_000, List.of(Status.SUCCEEDED))).contains(1_000 + Duration.ofDays(7).toMillis());
        assertThat(policy.keptUntil(1_000, List.of())).as("no destination").contains(1_000 + Duration.ofDays(7).toMillis());
        assertThat(policy.keptUntil(1_000, List.of(Status.SUCCEEDED, Status.FAILED))).contains(1_000 + Duration.ofDays(30).toMillis());
    }

    @Test
    void foreverKeepsEverything() {
        assertThat(RetentionPolicy.FOREVER.keptUntil(0, List.of(Status.SUCCEEDED))).isEmpty();
        assertThat(RetentionPolicy.FOREVER.prunes()).isFalse();
        assertThat(new RetentionPolicy(Optional.empty(), Optional.of(Duration.ofHours(1))).shortest()).contains(Duration.ofHours(1));
    }
}
