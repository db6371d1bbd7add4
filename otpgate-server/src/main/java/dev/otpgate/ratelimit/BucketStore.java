package dev.otpgate.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;

/** Where buckets live. Implementations differ only in the Bucket4j backend they build on. */
interface BucketStore extends AutoCloseable {

    /** The bucket for {@code key}, created with {@code configuration} if it does not exist yet. */
    Bucket bucket(String key, BucketConfiguration configuration);

    /** Forgets the bucket of {@code key}; nothing happens when there is none. */
    void remove(String key);

    /** Releases connections and threads. */
    @Override
    default void close() {}
}
