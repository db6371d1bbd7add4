package dev.otpgate.platform;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.cache.*}: what each node keeps of API keys and app settings between requests. Changes reach every
 * node's cache at once through PostgreSQL {@code LISTEN/NOTIFY} and Redis pub/sub; the time to live is the bound
 * when a node missed a message, and the only limit on embedded H2 (one node, which invalidates its own cache).
 *
 * @param ttl the longest an entry is kept without being read again from the database ({@code 0s}: no caching)
 * @param maxEntries the most entries one cache keeps; when full it starts over
 */
@ConfigurationProperties("otpgate.cache")
public record CacheProperties(@DefaultValue("10s") Duration ttl, @DefaultValue("10000") int maxEntries) {

    public CacheProperties {
        if (ttl == null || ttl.isNegative() || ttl.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("otpgate.cache.ttl must be between 0s and 5m");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("otpgate.cache.max-entries must be at least 1");
        }
    }
}
