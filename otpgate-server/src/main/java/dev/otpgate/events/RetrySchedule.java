package dev.otpgate.events;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When the next attempt of a delivery is due: the configured schedule is data (the delay before attempt 1, 2,
 * …), each delay after the first moved by up to {@code jitter} either way so that a receiver coming back is not
 * hit by every retry at once. A {@code Retry-After} the receiver sent replaces the scheduled delay, up to the
 * schedule's longest.
 */
final class RetrySchedule {

    private final List<Duration> delays;
    private final double jitter;
    private final RandomGenerator random;

    RetrySchedule(List<Duration> delays, double jitter, RandomGenerator random) {
        if (delays.isEmpty()) {
            throw new IllegalStateException("otpgate.webhooks.retry-schedule needs at least one delay");
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalStateException("otpgate.webhooks.jitter must be at least 0 and below 1");
        }
        this.delays = List.copyOf(delays);
        this.jitter = jitter;
        this.random = random;
    }

    int attempts() {
        return delays.size();
    }

    /**
     * @param attemptsMade attempts already made (1 after the first failure)
     * @return when the next attempt is due, or empty when the schedule is exhausted
     */
    Optional<Instant> next(int attemptsMade, Instant now, Duration retryAfter) {
        if (attemptsMade >= delays.size()) {
            return Optional.empty();
        }
        Duration longest = delays.stream().max(Duration::compareTo).orElseThrow();
        if (retryAfter != null) {
            Duration honoured = retryAfter.compareTo(longest) > 0 ? longest : retryAfter;
            return Optional.of(now.plus(honoured));
        }
        Duration delay = delays.get(attemptsMade);
        long millis = delay.toMillis();
        if (millis > 0 && jitter > 0) {
            long spread = (long) (millis * jitter);
            millis += spread == 0 ? 0 : random.nextLong(-spread, spread + 1);
        }
        return Optional.of(now.plusMillis(millis));
    }

    Duration firstDelay() {
        return delays.getFirst();
    }
}
