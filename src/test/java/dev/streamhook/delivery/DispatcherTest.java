package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamhook.store.Database;
import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.Destinations;
import dev.streamhook.store.Redeliveries;
import dev.streamhook.store.SecretBox;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Lanes on a real embedded store, with a sender that answers per destination as the test says. */
class DispatcherTest extends LaneTestBase {

    @Test
    void aHangingDestinationDelaysNeitherAnotherDestinationNorItsEvents() {
        destination("dst_hanging", null);
        destination("dst_healthy", null);
        sender.hanging.put("dst_hanging", new CountDownLatch(1));
        start();
        List<String> ids = append(300, 300);

        await().atMost(Duration.ofSeconds(30)).until(() -> sender.rowsSentTo("dst_healthy").size() == 300);
        assertThat(sender.rowsSentTo("dst_healthy")).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(sender.rowsSentTo("dst_hanging")).as("stuck at its own in-flight limit").hasSize(16);
    }

    @Test
    void aBusyRowBehindAnEventThatKeepsFailingHoldsBackOnlyItselfNotTheRestOfItsDestination() {
        destination("dst_1", null);
        start(40, new RetryPolicy(1_000, List.of(Duration.ofMillis(20)))); // a lane reads more only below 20 held in memory
        StuckRow stuck = appendStuckRow();

        sender.refused.remove(stuck.failing());
        stuck.arrivesWhole();
    }

    @Test
    void aBusyRowHeldBehindAnEventThatFailedForGoodHoldsBackOnlyItselfAndGoesOnInOrderOnceItIsRetriedByHand() {
        destination("dst_1", null); // holds a row on failure, the default
        start(40, new RetryPolicy(2, List.of(Duration.ofMillis(10))));
        StuckRow stuck = appendStuckRow();
        await("the head failed for good").atMost(Duration.ofSeconds(30))
                .until(() -> sender.rowsSentTo("dst_1").stream().filter(stuck.failing()::equals).count() == 2);

        sender.refused.remove(stuck.failing());
        new Redeliveries(db).retryFailed(stuck.failing(), "dst_1", false, System.currentTimeMillis());
        stuck.arrivesWhole();
    }

    /** A row's 62 events, the first refused, with 30 other rows' events among them; the others arrive, the row does not. */
    private StuckRow appendStuckRow() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 61; i++) {
            keys.add("hot");
        }
        for (int i = 0; i < 30; i++) {
            keys.add("other" + i);
        }
        keys.add("hot");
        String failing = upcomingId(0); // the next append's, refused before it is sent
        sender.refused.add(failing);
        assertThat(append(keys.subList(0, 1))).containsExactly(failing);
        List<String> hot = new ArrayList<>(List.of(failing));
        hot.addAll(append(keys.subList(1, 61)));
        List<String> others = append(keys.subList(61, 91));
        hot.addAll(append(keys.subList(91, 92)));

        await("the other rows, behind 60 events of a stuck row").atMost(Duration.ofSeconds(30))
                .until(() -> sender.rowsSentTo("dst_1").containsAll(others));
        assertThat(sender.rowsSentTo("dst_1").stream().filter(hot::contains).distinct().toList())
                .as("nothing of the stuck row but its failing head").containsExactly(failing);
        return new StuckRow(failing, hot);
    }

    private final class StuckRow {
        private final String failing;
        private final List<String> events;

        StuckRow(String failing, List<String> events) {
            this.failing = failing;
            this.events = events;
        }

        String failing() {
            return failing;
        }

        /** Once its head is delivered, the row's events arrive, each once, in commit order. */
        void arrivesWhole() {
            await("the stuck row, once its head is delivered").atMost(Duration.ofSeconds(30))
                    .until(() -> sender.rowsSentTo("dst_1").containsAll(events));
            List<String> sent = sender.rowsSentTo("dst_1").stream().filter(events::contains).toList();
            assertThat(sent.stream().distinct().toList()).as("the stuck row's events in commit order").containsExactlyElementsOf(events);
            assertThat(sent.subList(sent.lastIndexOf(failing) + 1, sent.size())).as("each after the head once").doesNotHaveDuplicates();
        }
    }

    @Test
    void anEndpointThatAnswers429WithRetryAfterGetsNoRequestForAnyRowUntilThen() {
        destination("dst_1", 1); // one request at a time, so the next one waits for the 429
        String first = upcomingId(0);
        sender.throttled.put(first, Duration.ofSeconds(2));
        start();
        List<String> ids = append(3, 3); // three rows: the other two do not depend on the first

        await().atMost(Duration.ofSeconds(20)).until(() -> sender.rowsSentTo("dst_1").containsAll(ids));
        List<String> sent = sender.rowsSentTo("dst_1");
        assertThat(sent.getFirst()).isEqualTo(first);
        long quiet = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(sender.sentAt.get(1) - sender.sentAt.get(0));
        assertThat(quiet).as("ms from the 429 to the next request, of another row").isGreaterThanOrEqualTo(1_900);
        assertThat(sent).as("the throttled event again, once the wait is over").contains(first, org.assertj.core.data.Index.atIndex(0))
                .filteredOn(first::equals).hasSize(2);
    }

    @Test
    void theWaitAnEndpointAskedForEndsInARunningLaneWhenItsDestinationIsSetActive() {
        destination("dst_1", 1);
        String first = upcomingId(0);
        sender.throttled.put(first, Duration.ofSeconds(60));
        start();
        append(1, 1);
        await("the 429 is stored").atMost(Duration.ofSeconds(10)).until(() -> db.read(c -> {
            var rs = c.createStatement().executeQuery("SELECT attempts FROM deliveries");
            return rs.next() ? rs.getInt(1) : 0;
        }) == 1);

        destinations.setStatus("dst_1", Destinations.Status.ACTIVE, System.currentTimeMillis());
        String next = append(List.of("another row")).getFirst();
        await("well before the 60 s asked for").atMost(Duration.ofSeconds(5)).until(() -> sender.rowsSentTo("dst_1").contains(next));
    }

    @Test
    void aLargeEventIsReadAndSentWhileTheLaneHoldsEventsThatKeepFailing() {
        destination("dst_1", null);
        List<String> failing = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            failing.add(upcomingId(i));
        }
        sender.refused.addAll(failing);
        // 10 failing events hold about 3 KB of a 10 KB window: less than half, so the lane reads on, but
        // not room for the next 8 KB event. Each read must take that one, not stop in front of it again
        start(1_000, 10_000, new RetryPolicy(1_000, List.of(Duration.ofMillis(20))));
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            keys.add("failing" + i);
        }
        assertThat(append(keys)).containsExactlyElementsOf(failing);
        String large = append(List.of("large"), 8_000).getFirst();

        await().atMost(Duration.ofSeconds(20)).until(() -> sender.rowsSentTo("dst_1").contains(large));
    }

    @Test
    void aDestinationsOwnInFlightLimitIsHonoured() {
        destination("dst_narrow", 2);
        sender.hanging.put("dst_narrow", new CountDownLatch(1));
        start();
        append(50, 50);
        await().atMost(Duration.ofSeconds(20)).until(() -> sender.rowsSentTo("dst_narrow").size() == 2);
        sender.hanging.remove("dst_narrow").countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> sender.rowsSentTo("dst_narrow").size() == 50);
        assertThat(sender.mostInFlight.get("dst_narrow")).isEqualTo(2);
    }

    @Test
    void eventsOfOneRowAreSentOneAtATimeInCommitOrder() {
        destination("dst_1", null);
        start();
        List<String> ids = append(200, 3);
        await().atMost(Duration.ofSeconds(30)).until(() -> sender.rowsSentTo("dst_1").size() == 200);
        List<String> sent = sender.rowsSentTo("dst_1");
        for (int row = 0; row < 3; row++) {
            int r = row;
            List<String> expected = new ArrayList<>();
            for (int i = r; i < 200; i += 3) {
                expected.add(ids.get(i));
            }
            assertThat(sent.stream().filter(expected::contains).toList()).as("row " + r).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void whenTheNodeHoldingALaneStopsAnotherNodeTakesItOverAndDeliversTheRest() throws InterruptedException {
        destination("dst_1", null);
        sender.hanging.put("dst_1", new CountDownLatch(1));
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.rowsSentTo("dst_1").isEmpty() && laneHeldBy("node-test"));
        ScriptedSender second = new ScriptedSender();
        try (Database otherNode = Database.openEmbedded(dataDir)) {
            Dispatcher other = new Dispatcher(new DeliveryQueue(otherNode), new Destinations(otherNode, SecretBox.load(Optional.empty(), dataDir)),
                    otherNode.signals(), second, new RetryPolicy(3, java.util.List.of(Duration.ofMillis(10))),
                    DeliveryMetrics.NONE, "node-other", 16, 3_000, 1_000, 4L << 20, Clock.systemUTC());
            other.start();
            List<String> ids = append(40, 40);
            await().atMost(Duration.ofSeconds(10)).until(() -> sender.rowsSentTo("dst_1").size() == 16);
            assertThat(second.sent).as("the lane is held by the first node").isEmpty();

            // stopped while its 16 requests hang, so it sends nothing more once they come back: it records
            // them and lets the lease go
            Dispatcher first = dispatcher;
            dispatcher = null;
            Thread stopping = Thread.ofVirtual().start(first::stop);
            await().pollDelay(Duration.ofMillis(300)).until(stopping::isAlive);
            sender.hanging.remove("dst_1").countDown();
            stopping.join();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                java.util.Set<String> all = new java.util.HashSet<>(sender.rowsSentTo("dst_1"));
                all.addAll(second.rowsSentTo("dst_1"));
                return all.containsAll(ids);
            });
            assertThat(second.rowsSentTo("dst_1")).isNotEmpty();
            other.stop();
        }
    }

    private boolean laneHeldBy(String owner) {
        return db.read(c -> {
            var rs = c.createStatement().executeQuery("SELECT owner FROM lanes WHERE destination_id = 'dst_1'");
            return rs.next() && rs.getString(1).equals(owner);
        });
    }

    /**
     * A delivery made due again with no signal (by a node that does not share this one's signals,
     * or whose signal was lost) is still found: a lane reads from its start whenever it renews its lease.
     */
    @Test
    void aDeliveryMadeDueAgainWithoutASignalIsSentAtTheLanesNextLeaseRenewal() {
        destination("dst_1", null);
        start(1_000, 4L << 20, new RetryPolicy(3, List.of(Duration.ofMillis(10))), 1_500);
        List<String> ids = append(3, 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.rowsSentTo("dst_1").size() == 3);

        db.update("UPDATE deliveries SET status = 'PENDING' WHERE event_seq = (SELECT seq FROM events WHERE id = ?)", ids.getFirst());
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.rowsSentTo("dst_1").size() == 4);
        assertThat(sender.rowsSentTo("dst_1").getLast()).isEqualTo(ids.getFirst());
    }

    /**
     * Setting a destination active makes what waited for a retry due now. A lane that kept running
     * meanwhile (the destination paused and resumed before the lane was stopped) sends it now too,
     * not at the retry time it had in memory.
     */
    @Test
    void aRetryWaitingInARunningLaneGoesAtOnceWhenItsDestinationIsSetActive() {
        destination("dst_1", null);
        CountDownLatch firstAttempt = new CountDownLatch(1);
        sender.hanging.put("dst_1", firstAttempt);
        start(1_000, new RetryPolicy(5, List.of(Duration.ofHours(1))));
        String id = append(1, 1).getFirst();
        sender.refused.add(id);
        firstAttempt.countDown();
        await("the first attempt failed and its retry is an hour away").atMost(Duration.ofSeconds(10))
                .until(() -> db.read(c -> {
                    var rs = c.createStatement().executeQuery("SELECT attempts FROM deliveries");
                    return rs.next() ? rs.getInt(1) : 0;
                }) == 1);

        sender.refused.remove(id);
        destinations.setStatus("dst_1", Destinations.Status.ACTIVE, System.currentTimeMillis());
        // within the lane's first lease renewal (10 s), which would find it too
        await().atMost(Duration.ofSeconds(5)).until(() -> sender.delivered.contains(id));
        assertThat(sender.rowsSentTo("dst_1")).containsExactly(id, id);
    }

    @Test
    void anAttemptInFlightWhenItsDestinationIsSetActiveIsRetriedAtOnceWhenItFailsNotAfterItsWait() {
        // answered 500 after the destination was set active: its retry would be an hour away, and the lane's
        // first lease renewal (10 s) would not find it sooner: the store had the hour too
        failsAfterItsDestinationIsSetActiveAndIsRetriedAtOnce(id -> sender.failuresLeft.put(id, new java.util.concurrent.atomic.AtomicInteger(1)));
    }

    @Test
    void anAttemptThatEndsInASendersBugAfterItsDestinationIsSetActiveIsRetriedAtOnce() {
        // the lane builds this failure itself, and stamps it with when it began: before the destination was set active
        failsAfterItsDestinationIsSetActiveAndIsRetriedAtOnce(sender.crashing::add);
    }

    /** One event's first attempt is out when its destination is set active; it then fails as {@code failOnce} makes it. */
    private void failsAfterItsDestinationIsSetActiveAndIsRetriedAtOnce(java.util.function.Consumer<String> failOnce) {
        destination("dst_1", null);
        CountDownLatch answer = new CountDownLatch(1);
        sender.hanging.put("dst_1", answer);
        start(1_000, new RetryPolicy(5, List.of(Duration.ofHours(1))));
        String id = append(1, 1).getFirst();
        failOnce.accept(id);
        await("the first attempt is out").atMost(Duration.ofSeconds(10)).until(() -> sender.rowsSentTo("dst_1").size() == 1);

        destinations.setStatus("dst_1", Destinations.Status.ACTIVE, System.currentTimeMillis());
        sender.hanging.remove("dst_1");
        answer.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> sender.delivered.contains(id));
        assertThat(sender.rowsSentTo("dst_1")).containsExactly(id, id);
    }

    /**
     * A lane asks the store for its retries' due times at every lease renewal; a renewal that comes
     * between a failed attempt and the commit of its result must not send it again at once.
     */
    @Test
    void aFailedAttemptWaitsForItsRetryWhenTheLaneRenewsItsLeaseBeforeTheResultIsStored() {
        destination("dst_1", 1); // one at a time, 10 ms each: a renewal every 100 ms finds results not yet committed
        CountDownLatch refusing = new CountDownLatch(1);
        sender.hanging.put("dst_1", refusing);
        sender.answerAfterMillis = 10;
        start(1_000, 4L << 20, new RetryPolicy(5, List.of(Duration.ofHours(1))), 300);
        List<String> ids = append(150, 150);
        sender.refused.addAll(ids);
        refusing.countDown();

        await().atMost(Duration.ofSeconds(30)).until(() -> sender.rowsSentTo("dst_1").containsAll(ids));
        await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
        assertThat(sender.rowsSentTo("dst_1")).as("each tried once: the next attempt is an hour away").hasSize(150).doesNotHaveDuplicates();
    }

    @Test
    void anEventAppendedToAnIdleLaneIsSentWithoutWaitingForAPoll() {
        destination("dst_1", null);
        start();
        append(1, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.rowsSentTo("dst_1").size() == 1);
        long before = System.nanoTime();
        append(1, 1);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> sender.rowsSentTo("dst_1").size() == 2);
        // not a latency assertion (the benchmark measures that): a lane that polled would need its poll period
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
    }
}
