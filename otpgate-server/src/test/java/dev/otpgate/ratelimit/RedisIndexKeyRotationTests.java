package dev.otpgate.ratelimit;

import dev.otpgate.support.TestDatabases;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Index-key rotation with the Redis rate-limit store (keys under a prefix of their own). */
class RedisIndexKeyRotationTests extends IndexKeyRotationContract {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabases.h2(registry);
        registry.add("otpgate.rate-limit.store", () -> "redis");
        registry.add("otpgate.rate-limit.redis-url", () -> RedisTwoNodeRateLimitTests.REDIS_URL);
        registry.add("otpgate.rate-limit.redis-key-prefix", () -> "otpgate-test:" + UUID.randomUUID() + ":");
    }
}
