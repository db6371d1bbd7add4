package dev.otpgate.ratelimit;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A named limit: at most {@code capacity} requests per {@code period} for one key. The whole quota comes back
 * when the period has passed since the bucket was first used (a fixed window per key), so the
 * {@code RateLimit-Policy} header ({@code q} and {@code w}) describes it exactly.
 */
public record RateLimitPolicy(String name, long capacity, Duration period) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,63}");

    public RateLimitPolicy {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a policy name is lower-case letters, digits and dashes: " + name);
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("policy " + name + ": capacity must be at least 1");
        }
        if (period == null || period.toSeconds() < 1) {
            throw new IllegalArgumentException("policy " + name + ": period must be at least one second");
        }
    }

    /** {@code "starts-per-destination";q=5;w=600}: the IETF draft's {@code RateLimit-Policy} field. */
    public String policyHeader() {
        return "\"" + name + "\";q=" + capacity + ";w=" + period.toSeconds();
    }

    /** The {@code RateLimit} field for a decision: what remains and when the quota comes back. */
    public String rateLimitHeader(RateLimitDecision decision) {
        return "\"" + name + "\";r=" + decision.remaining() + ";t=" + decision.resetSeconds();
    }
}
