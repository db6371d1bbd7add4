package dev.otpgate.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Buckets in this JVM: right for a single node. Bounded: beyond {@code maxKeys} the least recently used bucket is
 * dropped (its key starts afresh), so a flood of distinct keys cannot exhaust the heap.
 */
class MemoryBucketStore implements BucketStore {

    private final ClockTimeMeter time;
    private final Map<String, Bucket> buckets;

    MemoryBucketStore(Clock clock, int maxKeys) {
        this.time = new ClockTimeMeter(clock);
        this.buckets = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > maxKeys;
            }
        };
    }

    @Override
    public Bucket bucket(String key, BucketConfiguration configuration) {
        synchronized (buckets) {
            return buckets.computeIfAbsent(key, ignored -> Bucket.builder()
                    .withCustomTimePrecision(time)
                    .addLimit(configuration.getBandwidths()[0])
                    .build());
        }
    }

    @Override
    public void remove(String key) {
        synchronized (buckets) {
            buckets.remove(key);
        }
    }
}
