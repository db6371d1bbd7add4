package dev.otpgate.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts requests against a {@link RateLimitPolicy}. One bucket per policy and key; the key must already be
 * opaque (a blind index, a keyed hash, an id), never a raw destination or IP address. A store that cannot be
 * reached throws {@link RateLimitUnavailableException}: callers refuse the request rather than let it through.
 */
public class RateLimiter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);

    private final BucketStore store;

    RateLimiter(BucketStore store) {
        this.store = store;
    }

    /** A limiter that allows everything: {@code otpgate.rate-limit.enabled=false}. */
    static RateLimiter disabled() {
        return new RateLimiter(null);
    }

    public boolean enabled() {
        return store != null;
    }

    /** Takes one request from the bucket of {@code key} under {@code policy}. */
    public RateLimitDecision tryConsume(String key, RateLimitPolicy policy) {
        if (store == null) {
            return RateLimitDecision.allowed(policy.capacity());
        }
        // The limit's shape is part of the key, so a changed limit starts fresh buckets instead of meeting
        // buckets stored with the old configuration.
        String bucketKey = policy.name() + ":" + policy.capacity() + "/" + policy.period().toSeconds() + ":" + key;
        ConsumptionProbe probe;
        try {
            probe = store.bucket(bucketKey, configuration(policy)).tryConsumeAndReturnRemaining(1);
        } catch (RuntimeException e) {
            // No key in the log: it is derived from personal data, even if hashed.
            log.warn("Rate-limit store failed for policy {} ({}: {})", policy.name(), e.getClass().getSimpleName(),
                    e.getMessage());
            throw new RateLimitUnavailableException("the rate-limit store is unavailable", e);
        }
        return probe.isConsumed()
                ? RateLimitDecision.allowed(probe.getRemainingTokens())
                : RateLimitDecision.rejected(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }

    private static BucketConfiguration configuration(RateLimitPolicy policy) {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(policy.capacity())
                        .refillIntervally(policy.capacity(), policy.period()).build())
                .build();
    }
}
