package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Result;
import dev.streamhook.store.DeliveryQueue.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnrecordedResultsTest {

    private static Result result(long deliveryId, int attempt, Status next) {
        Attempt a = next == Status.SUCCEEDED ? new Attempt(0, 5, 200, null, "ok") : new Attempt(0, 5, 500, null, "down");
        return new Result(deliveryId, attempt, a, next, 0);
    }

    @Test
    void aDeliverySettledForGoodStaysOutOfReadsUntilItsResultIsWritten() {
        UnrecordedResults results = new UnrecordedResults();
        results.add(result(7, 1, Status.SUCCEEDED));
        assertThat(results.settled(7)).isTrue();

        List<Result> group = results.takeGroup();
        assertThat(results.settled(7)).as("on its way, not committed yet").isTrue();
        results.finished(group);
        assertThat(results.settled(7)).isFalse();
    }

    @Test
    void aRetryWrittenAfterTheDeliverySucceededDoesNotLetAReadBringItBack() {
        UnrecordedResults results = new UnrecordedResults();
        results.add(result(7, 1, Status.PENDING)); // failed once, due again later
        List<Result> retry = results.takeGroup();
        results.add(result(7, 2, Status.SUCCEEDED)); // the retry went out and succeeded while the first write ran

        results.finished(retry);

        assertThat(results.settled(7)).as("its success is still waiting to be written").isTrue();
        assertThat(results.takeGroup()).extracting(Result::next).containsExactly(Status.SUCCEEDED);
    }

    @Test
    void oneGroupIsOnItsWayAtATimeAndAFailedOneGoesFirstInTheNext() {
        UnrecordedResults results = new UnrecordedResults();
        results.add(result(1, 1, Status.SUCCEEDED));
        List<Result> first = results.takeGroup();
        results.add(result(2, 1, Status.SUCCEEDED));
        assertThat(results.takeGroup()).as("the first is still on its way").isEmpty();

        results.failed(first);

        assertThat(results.settled(1)).isTrue();
        assertThat(results.takeGroup()).extracting(Result::deliveryId).containsExactly(1L, 2L);
    }
}
