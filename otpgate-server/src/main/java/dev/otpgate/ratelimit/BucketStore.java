package dev.otpgate.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;

/** Where buckets live. Implementations differ only in the Bucket4j backend they build on. */
interface BucketStore extends AutoCloseable {

    /** The bucket for {@code key}, created with {@code configuration} if it does not exist yet. */
    Bucket bucket(String key, BucketConfiguration configuration);

    /**
     * Like {@link #bucket}, for state that must outlive a flood of other keys: consecutive failures, lockout counts
     * and lockouts (S-12). Stores that never evict (Redis, the database) keep it like any other bucket.
     *
     * @param lockout true for a lockout itself, which a bounded store must never drop before it expires
     */
    default Bucket heldBucket(String key, BucketConfiguration configuration, boolean lockout) {
        return bucket(key, configuration);
    }

    /** Forgets the bucket of {@code key}; nothing happens when there is none. */
    void remove(String key);

    /** Releases connections and threads. */
    @Override
    default void close() {}
}
