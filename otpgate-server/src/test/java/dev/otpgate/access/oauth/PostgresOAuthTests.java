package dev.otpgate.access.oauth;

import dev.otpgate.support.PostgresTestDatabase;
import dev.otpgate.support.TestDatabases;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The OAuth suite on PostgreSQL, in a database of its own. */
class PostgresOAuthTests extends OAuthContract {

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.requireReachable();
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabases.postgres(registry);
    }
}
