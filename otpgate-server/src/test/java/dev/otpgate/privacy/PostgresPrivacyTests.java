package dev.otpgate.privacy;

import dev.otpgate.support.PostgresTestDatabase;
import dev.otpgate.support.TestDatabases;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The privacy suite on PostgreSQL, in a database of its own. */
class PostgresPrivacyTests extends PrivacyContract {

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.requireReachable();
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabases.postgres(registry);
    }
}
