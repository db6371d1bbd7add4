package dev.otpgate.ratelimit;

import dev.otpgate.support.PostgresTestDatabase;
import dev.otpgate.support.TestDatabases;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Index-key rotation with the PostgreSQL rate-limit store. */
class DatabaseIndexKeyRotationTests extends IndexKeyRotationContract {

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.requireReachable();
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabases.postgres(registry);
        registry.add("otpgate.rate-limit.store", () -> "database");
    }
}
