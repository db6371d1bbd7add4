package dev.otpgate.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Buckets in this JVM: right for a single node. Bounded: beyond {@code maxKeys} the least recently used plain
 * bucket is dropped (its key starts afresh), so a flood of distinct keys cannot exhaust the heap.
 *
 * <p>What must not be forgotten ({@link #heldBucket}: consecutive failures, lockout counts and lockouts, S-12)
 * lives apart, so a flood of plain keys cannot push it out. When that part is full, buckets that have refilled
 * (nothing left to remember) go first, then the least recently used failure counts; a lockout that has not
 * expired is never dropped. Lockouts take {@code checks-per-destination} failed checks each and expire within
 * the maximum lockout, so their number stays bounded by the failed checks of that period.
 */
class MemoryBucketStore implements BucketStore {

    private final ClockTimeMeter time;
    private final int maxKeys;
    private final Map<String, Bucket> buckets;
    private final LinkedHashMap<String, Held> held = new LinkedHashMap<>(1024, 0.75f, true);
    private int nextHeldSweep;

    private record Held(Bucket bucket, long capacity, boolean lockout) {

        /** True when the bucket is full again: dropping it changes nothing. */
        boolean refilled() {
            return bucket.getAvailableTokens() >= capacity;
        }
    }

    MemoryBucketStore(Clock clock, int maxKeys) {
        this.time = new ClockTimeMeter(clock);
        this.maxKeys = maxKeys;
        this.nextHeldSweep = maxKeys;
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
            return buckets.computeIfAbsent(key, ignored -> newBucket(configuration));
        }
    }

    @Override
    public Bucket heldBucket(String key, BucketConfiguration configuration, boolean lockout) {
        synchronized (held) {
            Held existing = held.get(key);
            if (existing != null) {
                return existing.bucket();
            }
            if (held.size() >= nextHeldSweep) {
                makeRoom();
            }
            Held created = new Held(newBucket(configuration), configuration.getBandwidths()[0].getCapacity(), lockout);
            held.put(key, created);
            return created.bucket();
        }
    }

    /**
     * Drops refilled buckets, then the least recently used failure counts, down to three quarters of
     * {@code maxKeys}; unexpired lockouts stay even past it, and the next sweep waits until the map has grown by
     * half again, so a map full of them is not swept on every insert.
     */
    private void makeRoom() {
        held.values().removeIf(Held::refilled);
        int target = maxKeys * 3 / 4;
        for (Iterator<Held> it = held.values().iterator(); it.hasNext() && held.size() > target; ) {
            if (!it.next().lockout()) {
                it.remove();
            }
        }
        nextHeldSweep = Math.max(maxKeys, held.size() + held.size() / 2);
    }

    private Bucket newBucket(BucketConfiguration configuration) {
        return Bucket.builder().withCustomTimePrecision(time).addLimit(configuration.getBandwidths()[0]).build();
    }

    @Override
    public void remove(String key) {
        synchronized (buckets) {
            buckets.remove(key);
        }
        synchronized (held) {
            held.remove(key);
        }
    }

    /** Buckets held now, plain and kept apart; for tests of the bounds. */
    int[] sizes() {
        synchronized (buckets) {
            synchronized (held) {
                return new int[] {buckets.size(), held.size()};
            }
        }
    }
}
