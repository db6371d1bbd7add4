package dev.otpgate.ratelimit;

import java.time.Duration;

/**
 * The answer for one request: allowed with {@code remaining} requests left, or rejected until
 * {@code retryAfter} has passed. {@code resetAfter} is when the whole quota is back (zero when unknown).
 */
public record RateLimitDecision(boolean allowed, long remaining, Duration retryAfter, Duration resetAfter) {

    public RateLimitDecision {
        if (remaining < 0) {
            throw new IllegalArgumentException("remaining must not be negative");
        }
        retryAfter = retryAfter == null || retryAfter.isNegative() ? Duration.ZERO : retryAfter;
        resetAfter = resetAfter == null || resetAfter.isNegative() ? Duration.ZERO : resetAfter;
    }

    public static RateLimitDecision allowed(long remaining) {
        return new RateLimitDecision(true, remaining, Duration.ZERO, Duration.ZERO);
    }

    public static RateLimitDecision allowed(long remaining, Duration resetAfter) {
        return new RateLimitDecision(true, remaining, Duration.ZERO, resetAfter);
    }

    public static RateLimitDecision rejected(Duration retryAfter) {
        return new RateLimitDecision(false, 0, retryAfter, retryAfter);
    }

    public boolean rejected() {
        return !allowed;
    }

    /**
     * Whole seconds, rounded up: until a request would be allowed again when rejected; until the quota is back
     * when allowed (0 when the bucket is full or the time is unknown).
     */
    public long resetSeconds() {
        Duration until = allowed ? resetAfter : retryAfter;
        if (until.isZero()) {
            return allowed ? 0 : 1;
        }
        return Math.max(1, (until.toMillis() + 999) / 1000);
    }
}
