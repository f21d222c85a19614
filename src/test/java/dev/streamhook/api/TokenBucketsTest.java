package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketsTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Test
    void aBurstIsTakenThenTheNextRequestWaitsForARefill() {
        TokenBuckets buckets = new TokenBuckets(100, 20, 1000, nanos::get);
        for (int i = 0; i < 100; i++) {
            assertThat(buckets.take("key_a")).as("request %d of the burst", i).isZero();
        }

        assertThat(buckets.take("key_a")).as("seconds to wait").isEqualTo(1);
        nanos.addAndGet(50_000_000L); // 50 ms: one token at 20 a second
        assertThat(buckets.take("key_a")).isZero();
        assertThat(buckets.take("key_a")).isEqualTo(1);
    }

    @Test
    void aSlowRefillSaysHowManySecondsToWait() {
        TokenBuckets perMinute = new TokenBuckets(10, 10 / 60.0, 1000, nanos::get);
        for (int i = 0; i < 10; i++) {
            perMinute.take("10.0.0.1");
        }

        assertThat(perMinute.take("10.0.0.1")).isEqualTo(6);
        assertThat(perMinute.take("10.0.0.2")).as("another address has its own bucket").isZero();
    }

    @Test
    void aFloodOfDistinctNamesKeepsAtMostTheBoundOfBuckets() {
        TokenBuckets buckets = new TokenBuckets(10, 1, 1000, nanos::get);
        for (int i = 0; i < 100_000; i++) {
            buckets.take("203.0." + (i >> 8) + "." + (i & 255));
        }

        assertThat(buckets.size()).isEqualTo(1000);
    }

    @Test
    void theBusiestNameIsNotTheOneEvictedByAFlood() {
        TokenBuckets buckets = new TokenBuckets(2, 0.001, 10, nanos::get);
        buckets.take("busy");
        for (int i = 0; i < 100; i++) {
            buckets.take("flood-" + i);
            buckets.take("busy"); // used again and again: most recently used, so kept
        }

        assertThat(buckets.take("busy")).as("still limited after the flood").isPositive();
    }

    @Test
    void anIpv6HostIsLimitedByItsSlash64AndIpv4ByItsAddress() {
        assertThat(RequestGate.limitedUnit("2001:db8:1:2:aaaa::1")).isEqualTo(RequestGate.limitedUnit("2001:db8:1:2:bbbb::9"));
        assertThat(RequestGate.limitedUnit("[2001:db8:1:2::1]")).isEqualTo(RequestGate.limitedUnit("2001:db8:1:2::1"));
        assertThat(RequestGate.limitedUnit("2001:db8:1:3::1")).isNotEqualTo(RequestGate.limitedUnit("2001:db8:1:2::1"));
        assertThat(RequestGate.limitedUnit("203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(RequestGate.limitedUnit("not:an:address:zz")).isEqualTo("not:an:address:zz");
    }
}
