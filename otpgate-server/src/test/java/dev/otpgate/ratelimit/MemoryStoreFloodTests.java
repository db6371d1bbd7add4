package dev.otpgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.support.TestClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The memory store under a flood of new keys (S-12): it stays bounded, and a destination's lockout and its
 * consecutive failures are not pushed out by keys an attacker can mint at will (new destinations, new IPs).
 */
class MemoryStoreFloodTests {

    private static final int MAX_KEYS = 1_000;
    private static final RateLimitPolicy FAILURES = new RateLimitPolicy("checks-per-destination", 5, Duration.ofHours(24));
    private static final RateLimitPolicy STARTS = new RateLimitPolicy("starts-per-destination", 5, Duration.ofMinutes(10));
    private static final RateLimiter.Lockouts LOCKOUTS = new RateLimiter.Lockouts(Duration.ofMinutes(15), Duration.ofHours(24));

    private final TestClock clock = new TestClock();
    private final MemoryBucketStore store = new MemoryBucketStore(clock, MAX_KEYS);
    private final RateLimiter limiter = new RateLimiter(store, new SimpleMeterRegistry());

    @BeforeEach
    void pinTheClock() {
        clock.fixAt(Instant.parse("2026-12-01T10:00:00Z"));
    }

    private void lockOut(String key) {
        for (int i = 0; i < FAILURES.capacity(); i++) {
            limiter.recordFailure(key, FAILURES, LOCKOUTS);
        }
    }

    @Test
    void floodOfNewKeysWhenADestinationIsLockedOutThenTheLockoutSurvivesAndTheStoreStaysBounded_S12() {
        lockOut("victim");
        assertThat(limiter.lockedFor("victim", FAILURES, LOCKOUTS)).isPositive();

        for (int i = 0; i < 20 * MAX_KEYS; i++) {
            limiter.tryConsume("flood-" + i, STARTS);
            limiter.lockedFor("flood-" + i, FAILURES, LOCKOUTS);
            limiter.recordFailure("flood-" + i, FAILURES, LOCKOUTS);
        }

        assertThat(limiter.lockedFor("victim", FAILURES, LOCKOUTS)).isBetween(Duration.ofMinutes(14), Duration.ofMinutes(15));
        int[] sizes = store.sizes();
        assertThat(sizes[0]).as("plain buckets").isLessThanOrEqualTo(MAX_KEYS);
        assertThat(sizes[1]).as("held buckets").isLessThanOrEqualTo(MAX_KEYS + MAX_KEYS / 2);
    }

    @Test
    void floodOfNewKeysWhenADestinationHasFailuresThenTheyAreStillCountedTowardsItsLockout_S12() {
        for (int i = 0; i < FAILURES.capacity() - 1; i++) {
            limiter.recordFailure("victim", FAILURES, LOCKOUTS);
        }
        for (int i = 0; i < 20 * MAX_KEYS; i++) {
            limiter.tryConsume("flood-" + i, STARTS);
        }

        limiter.recordFailure("victim", FAILURES, LOCKOUTS);
        assertThat(limiter.lockedFor("victim", FAILURES, LOCKOUTS)).as("the fifth failure locks it").isPositive();
    }

    @Test
    void floodOfLockoutsWhenTheyExpireThenTheStoreShrinksBackWithinItsBound_S12() {
        for (int i = 0; i < 3 * MAX_KEYS; i++) {
            lockOut("locked-" + i);
        }
        assertThat(limiter.lockedFor("locked-0", FAILURES, LOCKOUTS)).as("no unexpired lockout is dropped").isPositive();
        assertThat(limiter.lockedFor("locked-" + (3 * MAX_KEYS - 1), FAILURES, LOCKOUTS)).isPositive();

        clock.advance(Duration.ofMinutes(16));
        for (int i = 0; i < 2 * MAX_KEYS; i++) {
            limiter.recordFailure("later-" + i, FAILURES, LOCKOUTS);
        }
        assertThat(store.sizes()[1]).as("expired lockouts and refilled buckets were swept")
                .isLessThanOrEqualTo(MAX_KEYS + MAX_KEYS / 2);
    }
}
