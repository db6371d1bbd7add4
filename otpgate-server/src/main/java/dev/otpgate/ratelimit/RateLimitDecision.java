package dev.otpgate.ratelimit;

import java.time.Duration;

/**
 * The answer for one request: allowed with {@code remaining} requests left, or rejected until
 * {@code retryAfter} has passed.
 */
public record RateLimitDecision(boolean allowed, long remaining, Duration retryAfter) {

    public RateLimitDecision {
        if (remaining < 0) {
            throw new IllegalArgumentException("remaining must not be negative");
        }
        retryAfter = retryAfter == null || retryAfter.isNegative() ? Duration.ZERO : retryAfter;
    }

    public static RateLimitDecision allowed(long remaining) {
        return new RateLimitDecision(true, remaining, Duration.ZERO);
    }

    public static RateLimitDecision rejected(Duration retryAfter) {
        return new RateLimitDecision(false, 0, retryAfter);
    }

    public boolean rejected() {
        return !allowed;
    }

    /** Whole seconds until a request would be allowed again, rounded up; 0 when allowed. */
    public long resetSeconds() {
        return allowed ? 0 : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
