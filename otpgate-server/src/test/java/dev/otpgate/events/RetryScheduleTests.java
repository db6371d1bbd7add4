package dev.otpgate.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The retry schedule is the configured data, with jitter, a Retry-After that replaces it, and an end. */
class RetryScheduleTests {

    static final List<Duration> SPEC = List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5),
            Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(14),
            Duration.ofHours(20), Duration.ofHours(24));

    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void nextWhenAttemptsFailThenEachDelayOfTheScheduleWithinItsJitterAndThenNone() {
        RetrySchedule schedule = new RetrySchedule(SPEC, 0.1, new Random(7));
        for (int made = 1; made < SPEC.size(); made++) {
            Duration expected = SPEC.get(made);
            Duration got = Duration.between(now, schedule.next(made, now, null).orElseThrow());
            assertThat(got).as("delay before attempt %d", made + 1)
                    .isBetween(expected.multipliedBy(9).dividedBy(10), expected.multipliedBy(11).dividedBy(10));
        }
        assertThat(schedule.next(SPEC.size(), now, null)).isEmpty();
    }

    @Test
    void nextWhenJitterIsOnThenDelaysDifferBetweenDeliveries() {
        RetrySchedule schedule = new RetrySchedule(SPEC, 0.1, new Random(11));
        assertThat(List.of(schedule.next(3, now, null).orElseThrow(), schedule.next(3, now, null).orElseThrow(),
                schedule.next(3, now, null).orElseThrow())).doesNotHaveDuplicates();
    }

    @Test
    void nextWhenTheReceiverSentRetryAfterThenItReplacesTheDelayUpToTheLongest() {
        RetrySchedule schedule = new RetrySchedule(SPEC, 0.1, new Random(1));
        assertThat(schedule.next(1, now, Duration.ofSeconds(120))).contains(now.plusSeconds(120));
        assertThat(schedule.next(1, now, Duration.ofDays(9))).contains(now.plus(Duration.ofHours(24)));
        assertThat(schedule.next(SPEC.size(), now, Duration.ofSeconds(1))).isEmpty();
    }
}
