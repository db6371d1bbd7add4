package dev.otpgate.ratelimit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts requests against a {@link RateLimitPolicy}. One bucket per policy and key; the key must already be
 * opaque (a blind index, a keyed hash, an id), never a raw destination or IP address. A store that cannot be
 * reached throws {@link RateLimitUnavailableException}; the caller decides whether to refuse or let through.
 *
 * <p>Besides plain limits it keeps consecutive failures with growing lockouts ({@link #recordFailure},
 * {@link #recordSuccess}, {@link #lockedFor}), built from buckets in the same store so that they hold across
 * nodes exactly when the other limits do (S-33).
 *
 * <p>Every bucket key holds the limit's shape ({@code name:capacity/seconds:key}), so a changed limit, for the
 * instance or for one app, starts fresh buckets at once instead of meeting buckets stored with the old one.
 */
public class RateLimiter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);

    /** How many lockouts are counted, and how long the count is kept without an approval. */
    private static final long LOCKOUT_COUNT_CAPACITY = 64;
    private static final Duration LOCKOUT_COUNT_WINDOW = Duration.ofDays(7);

    private final BucketStore store;
    private final MeterRegistry meters;

    RateLimiter(BucketStore store, MeterRegistry meters) {
        this.store = store;
        this.meters = meters;
    }

    /** A limiter that allows everything: {@code otpgate.rate-limit.enabled=false}. */
    static RateLimiter disabled() {
        return new RateLimiter(null, new SimpleMeterRegistry());
    }

    /**
     * How lockouts grow: {@code first} for the first, doubled for each further one, never longer than {@code max}.
     */
    public record Lockouts(Duration first, Duration max) {

        Duration nth(long n) {
            Duration duration = first;
            for (long i = 1; i < n && duration.compareTo(max) < 0; i++) {
                duration = duration.multipliedBy(2);
            }
            return duration.compareTo(max) > 0 ? max : duration;
        }
    }

    public boolean enabled() {
        return store != null;
    }

    /** Takes one request from the bucket of {@code key} under {@code policy}; a refusal is counted by policy. */
    public RateLimitDecision tryConsume(String key, RateLimitPolicy policy) {
        if (store == null) {
            return RateLimitDecision.allowed(policy.capacity());
        }
        ConsumptionProbe probe = call(policy.name(), () -> bucket(policy, key).tryConsumeAndReturnRemaining(1));
        if (probe.isConsumed()) {
            return RateLimitDecision.allowed(probe.getRemainingTokens(), Duration.ofNanos(probe.getNanosToWaitForReset()));
        }
        rejected(policy.name());
        return RateLimitDecision.rejected(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /**
     * How long {@code key} stays locked out under {@code failures}; {@link Duration#ZERO} when it is not. A locked
     * key is counted as a refusal of that policy.
     */
    public Duration lockedFor(String key, RateLimitPolicy failures, Lockouts lockouts) {
        if (store == null) {
            return Duration.ZERO;
        }
        EstimationProbe probe = call(failures.name(), () -> lock(failures, key, lockouts.first()).estimateAbilityToConsume(1));
        if (probe.canBeConsumed()) {
            return Duration.ZERO;
        }
        rejected(failures.name());
        return Duration.ofNanos(Math.max(1, probe.getNanosToWaitForRefill()));
    }

    /**
     * Counts one failure of {@code key}. The failure that uses up {@code failures.capacity()} locks the key out for
     * the first lockout period; once locked out and released, each further failure (without an approval between)
     * locks it again for twice as long as before, up to the maximum.
     *
     * @return the lockout that this failure started, or {@link Duration#ZERO}
     */
    public Duration recordFailure(String key, RateLimitPolicy failures, Lockouts lockouts) {
        if (store == null) {
            return Duration.ZERO;
        }
        return call(failures.name(), () -> {
            ConsumptionProbe counted = store.heldBucket(bucketKey(failures, key), configuration(failures), false)
                    .tryConsumeAndReturnRemaining(1);
            if (counted.isConsumed() && counted.getRemainingTokens() > 0) {
                return Duration.ZERO;
            }
            ConsumptionProbe lockoutCount = store.heldBucket(lockoutCountKey(failures, key), LOCKOUT_COUNT, false)
                    .tryConsumeAndReturnRemaining(1);
            long n = lockoutCount.isConsumed() ? LOCKOUT_COUNT_CAPACITY - lockoutCount.getRemainingTokens()
                    : LOCKOUT_COUNT_CAPACITY;
            Duration duration = lockouts.nth(n);
            Bucket lock = lock(failures, key, duration);
            lock.replaceConfiguration(lockConfiguration(duration), TokensInheritanceStrategy.RESET);
            lock.tryConsume(1);
            return duration;
        });
    }

    /** An approval: the failures and the lockout count of {@code key} start again from zero. */
    public void recordSuccess(String key, RateLimitPolicy failures) {
        if (store == null) {
            return;
        }
        call(failures.name(), () -> {
            store.remove(bucketKey(failures, key));
            store.remove(lockoutCountKey(failures, key));
            return null;
        });
    }

    /** Counts a request let through because the store could not be reached ({@code operation}: start, check). */
    public void failedOpen(String operation) {
        Counter.builder("otpgate.ratelimit.fail-open")
                .description("Requests let through because the rate-limit store could not be reached")
                .tag("operation", operation)
                .register(meters)
                .increment();
    }

    private void rejected(String policy) {
        Counter.builder("otpgate.ratelimit.rejections")
                .description("Requests refused by a rate limit")
                .tag("policy", policy)
                .register(meters)
                .increment();
    }

    private <T> T call(String policy, Supplier<T> operation) {
        try {
            return operation.get();
        } catch (RuntimeException e) {
            // No key in the log: it is derived from personal data, even if hashed.
            log.warn("Rate-limit store failed for policy {} ({}: {})", policy, e.getClass().getSimpleName(),
                    e.getMessage());
            throw new RateLimitUnavailableException("the rate-limit store is unavailable", e);
        }
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }

    private Bucket bucket(RateLimitPolicy policy, String key) {
        return store.bucket(bucketKey(policy, key), configuration(policy));
    }

    private Bucket lock(RateLimitPolicy failures, String key, Duration duration) {
        return store.heldBucket("lock:" + bucketKey(failures, key), lockConfiguration(duration), true);
    }

    private static String bucketKey(RateLimitPolicy policy, String key) {
        return policy.name() + ":" + policy.capacity() + "/" + policy.period().toSeconds() + ":" + key;
    }

    private static String lockoutCountKey(RateLimitPolicy failures, String key) {
        return "lockouts:" + bucketKey(failures, key);
    }

    private static final BucketConfiguration LOCKOUT_COUNT = BucketConfiguration.builder()
            .addLimit(Bandwidth.builder().capacity(LOCKOUT_COUNT_CAPACITY)
                    .refillIntervally(LOCKOUT_COUNT_CAPACITY, LOCKOUT_COUNT_WINDOW).build())
            .build();

    /** One token that takes {@code duration} to come back: consumed, the key is locked for that long. */
    private static BucketConfiguration lockConfiguration(Duration duration) {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(1).refillGreedy(1, duration).build())
                .build();
    }

    private static BucketConfiguration configuration(RateLimitPolicy policy) {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(policy.capacity())
                        .refillIntervally(policy.capacity(), policy.period()).build())
                .build();
    }
}
