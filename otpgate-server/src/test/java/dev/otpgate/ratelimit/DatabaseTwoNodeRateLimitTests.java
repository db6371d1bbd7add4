package dev.otpgate.ratelimit;

import org.junit.jupiter.api.BeforeAll;

/** The cluster suite with buckets in the shared PostgreSQL database (V3's rate_limit_buckets). */
class DatabaseTwoNodeRateLimitTests extends TwoNodeRateLimitContract {

    @BeforeAll
    static void start() throws Exception {
        startTwoNodes("--otpgate.rate-limit.store=database");
    }
}
