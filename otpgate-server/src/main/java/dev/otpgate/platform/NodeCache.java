package dev.otpgate.platform;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One node's cache of values read from the database, dropped by {@link Invalidations} when they change and kept at
 * most {@code ttl} otherwise. A value read while an invalidation ran is not kept, so a reader that raced a change
 * never caches what the change replaced. Absent values are never cached: what is created is found at once.
 */
public final class NodeCache<V> {

    private record Entry<V>(V value, long loadedAt) {}

    private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final long ttlNanos;
    private final int maxEntries;

    public NodeCache(CacheProperties properties) {
        this.ttlNanos = properties.ttl().toNanos();
        this.maxEntries = properties.maxEntries();
    }

    /**
     * A subscriber that drops the entries an invalidation names.
     *
     * @param names whether an invalidation's id (which need not be the cache key) names a cached value
     */
    public Invalidations.Subscriber dropping(BiPredicate<V, String> names) {
        return new Invalidations.Subscriber() {
            @Override
            public void invalidate(String id) {
                invalidateWhere(value -> names.test(value, id));
            }

            @Override
            public void invalidateAll() {
                NodeCache.this.invalidateAll();
            }
        };
    }

    public Optional<V> get(String key, Supplier<Optional<V>> loader) {
        long now = System.nanoTime();
        Entry<V> cached = entries.get(key);
        if (cached != null && now - cached.loadedAt() < ttlNanos) {
            return Optional.of(cached.value());
        }
        long seen = generation.get();
        Optional<V> loaded = loader.get();
        if (loaded.isEmpty()) {
            entries.remove(key);
            return loaded;
        }
        if (ttlNanos > 0 && generation.get() == seen) {
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
            Entry<V> entry = new Entry<>(loaded.get(), now);
            entries.put(key, entry);
            if (generation.get() != seen) {
                entries.remove(key, entry);
            }
        }
        return loaded;
    }

    public void invalidateWhere(Predicate<V> drop) {
        generation.incrementAndGet();
        entries.values().removeIf(entry -> drop.test(entry.value()));
    }

    public void invalidateAll() {
        generation.incrementAndGet();
        entries.clear();
    }
}
