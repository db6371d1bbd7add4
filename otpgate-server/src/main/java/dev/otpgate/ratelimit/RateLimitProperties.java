package dev.otpgate.ratelimit;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.rate-limit.*}: where buckets live, the instance's default limits on starts and checks (S-12,
 * S-32) and the proxies whose {@code X-Forwarded-For} is believed (S-27). An app may override each limit
 * ({@code defences.rate_limits}).
 *
 * @param enabled {@code false} lets every request through (benchmarks only)
 * @param store {@code memory} (one node), {@code redis} or {@code database} (PostgreSQL; shared by all nodes)
 * @param redisUrl the Redis server of the {@code redis} store
 * @param redisKeyPrefix prefixed to every Redis key, so that several instances or environments can share a server
 * @param timeout how long a request waits for Redis or PostgreSQL before it gives up
 * @param memoryMaxKeys the most buckets the {@code memory} store keeps; the least recently used go first
 * @param checksPerDestination consecutive failed checks per app and destination, across verifications, before
 *        the destination is locked out; the period is how long failures are remembered without an approval
 * @param destinationLockout the first lockout; each further one doubles it
 * @param destinationLockoutMax the longest lockout
 * @param trustedProxies IP addresses and CIDR ranges of proxies whose {@code X-Forwarded-For} names the client
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
        Limit startsPerApp,
        Limit startsPerCountry,
        Limit startsPerPrefix,
        Limit checksPerIp,
        Limit checksPerDestination,
        @DefaultValue("15m") Duration destinationLockout,
        @DefaultValue("24h") Duration destinationLockoutMax,
        @DefaultValue({}) List<String> trustedProxies) {

    public static final String STARTS_PER_DESTINATION = "starts-per-destination";
    public static final String STARTS_PER_IP = "starts-per-ip";
    public static final String STARTS_PER_API_KEY = "starts-per-api-key";
    public static final String STARTS_PER_APP = "starts-per-app";
    public static final String STARTS_PER_COUNTRY = "starts-per-country";
    public static final String STARTS_PER_PREFIX = "starts-per-prefix";
    public static final String CHECKS_PER_IP = "checks-per-ip";
    public static final String CHECKS_PER_DESTINATION = "checks-per-destination";

    public RateLimitProperties {
        startsPerDestination = orDefault(startsPerDestination, 5, Duration.ofMinutes(10));
        startsPerIp = orDefault(startsPerIp, 20, Duration.ofMinutes(10));
        startsPerApiKey = orDefault(startsPerApiKey, 100, Duration.ofMinutes(1));
        startsPerApp = orDefault(startsPerApp, 1000, Duration.ofMinutes(1));
        startsPerCountry = orDefault(startsPerCountry, 1000, Duration.ofMinutes(10));
        startsPerPrefix = orDefault(startsPerPrefix, 100, Duration.ofMinutes(10));
        checksPerIp = orDefault(checksPerIp, 300, Duration.ofMinutes(1));
        checksPerDestination = orDefault(checksPerDestination, 100, Duration.ofHours(24));
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        if (destinationLockout == null || destinationLockout.toSeconds() < 1) {
            throw new IllegalArgumentException("otpgate.rate-limit.destination-lockout must be at least 1s");
        }
        if (destinationLockoutMax == null || destinationLockoutMax.compareTo(destinationLockout) < 0) {
            throw new IllegalArgumentException(
                    "otpgate.rate-limit.destination-lockout-max must not be shorter than destination-lockout");
        }
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

    /** The instance's default for a policy {@code name} (one of the constants above). */
    public RateLimitPolicy policy(String name) {
        Limit limit = switch (name) {
            case STARTS_PER_DESTINATION -> startsPerDestination;
            case STARTS_PER_IP -> startsPerIp;
            case STARTS_PER_API_KEY -> startsPerApiKey;
            case STARTS_PER_APP -> startsPerApp;
            case STARTS_PER_COUNTRY -> startsPerCountry;
            case STARTS_PER_PREFIX -> startsPerPrefix;
            case CHECKS_PER_IP -> checksPerIp;
            case CHECKS_PER_DESTINATION -> checksPerDestination;
            default -> throw new IllegalArgumentException("unknown rate-limit policy " + name);
        };
        return new RateLimitPolicy(name, limit.capacity(), limit.period());
    }

    public RateLimitPolicy startsPerDestinationPolicy() {
        return policy(STARTS_PER_DESTINATION);
    }

    public RateLimitPolicy startsPerIpPolicy() {
        return policy(STARTS_PER_IP);
    }

    public RateLimitPolicy startsPerApiKeyPolicy() {
        return policy(STARTS_PER_API_KEY);
    }

    public RateLimitPolicy startsPerAppPolicy() {
        return policy(STARTS_PER_APP);
    }

    /** How lockouts of a destination grow. */
    public RateLimiter.Lockouts lockouts() {
        return new RateLimiter.Lockouts(destinationLockout, destinationLockoutMax);
    }
}
