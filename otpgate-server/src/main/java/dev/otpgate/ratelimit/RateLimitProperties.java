package dev.otpgate.ratelimit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.rate-limit.*}: where buckets live and the limits on starting verifications (S-32).
 *
 * @param enabled {@code false} lets every request through (benchmarks only)
 * @param store {@code memory} (one node), {@code redis} or {@code database} (PostgreSQL; shared by all nodes)
 * @param redisUrl the Redis server of the {@code redis} store
 * @param redisKeyPrefix prefixed to every Redis key, so that several instances or environments can share a server
 * @param timeout how long a request waits for Redis or PostgreSQL before it fails closed
 * @param memoryMaxKeys the most buckets the {@code memory} store keeps; the least recently used go first
 */
@ConfigurationProperties("otpgate.rate-limit")
public record RateLimitProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("memory") Store store,
        @DefaultValue("redis://127.0.0.1:6379") String redisUrl,
        @DefaultValue("otpgate:rate-limit:") String redisKeyPrefix,
        @DefaultValue("2s") Duration timeout,
        @DefaultValue("100000") int memoryMaxKeys,
        Limit startsPerDestination,
        Limit startsPerIp,
        Limit startsPerApiKey,
        Limit startsPerApp) {

    public RateLimitProperties {
        startsPerDestination = orDefault(startsPerDestination, 5, Duration.ofMinutes(10));
        startsPerIp = orDefault(startsPerIp, 20, Duration.ofMinutes(10));
        startsPerApiKey = orDefault(startsPerApiKey, 100, Duration.ofMinutes(1));
        startsPerApp = orDefault(startsPerApp, 1000, Duration.ofMinutes(1));
    }

    private static Limit orDefault(Limit limit, long capacity, Duration period) {
        if (limit == null) {
            return new Limit(capacity, period);
        }
        return new Limit(limit.capacity() == null ? capacity : limit.capacity(), limit.period() == null ? period : limit.period());
    }

    public enum Store {
        MEMORY,
        REDIS,
        DATABASE
    }

    /** @param capacity requests allowed per period; @param period the window */
    public record Limit(Long capacity, Duration period) {}

    public RateLimitPolicy startsPerDestinationPolicy() {
        return policy("starts-per-destination", startsPerDestination);
    }

    public RateLimitPolicy startsPerIpPolicy() {
        return policy("starts-per-ip", startsPerIp);
    }

    public RateLimitPolicy startsPerApiKeyPolicy() {
        return policy("starts-per-api-key", startsPerApiKey);
    }

    public RateLimitPolicy startsPerAppPolicy() {
        return policy("starts-per-app", startsPerApp);
    }

    private static RateLimitPolicy policy(String name, Limit limit) {
        return new RateLimitPolicy(name, limit.capacity(), limit.period());
    }
}
