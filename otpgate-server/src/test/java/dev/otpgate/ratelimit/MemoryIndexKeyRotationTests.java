package dev.otpgate.ratelimit;

import dev.otpgate.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Index-key rotation with the in-memory rate-limit store, on H2. */
class MemoryIndexKeyRotationTests extends IndexKeyRotationContract {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabases.h2(registry);
        registry.add("otpgate.rate-limit.store", () -> "memory");
    }
}
