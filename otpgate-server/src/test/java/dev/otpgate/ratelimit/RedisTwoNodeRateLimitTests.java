package dev.otpgate.ratelimit;

import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;

/** The cluster suite with buckets in the local Redis, under a key prefix of this run's own. */
class RedisTwoNodeRateLimitTests extends TwoNodeRateLimitContract {

    static final String REDIS_URL = System.getenv().getOrDefault("OTPGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    @BeforeAll
    static void start() throws Exception {
        startTwoNodes("--otpgate.rate-limit.store=redis", "--otpgate.rate-limit.redis-url=" + REDIS_URL,
                "--otpgate.rate-limit.redis-key-prefix=otpgate-test:" + UUID.randomUUID() + ":");
    }
}
