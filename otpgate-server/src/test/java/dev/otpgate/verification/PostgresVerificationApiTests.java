package dev.otpgate.verification;

import dev.otpgate.support.PostgresTestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The verification API suite on PostgreSQL, in a database of its own. */
class PostgresVerificationApiTests extends VerificationApiContract {

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.requireReachable();
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        String url = PostgresTestDatabase.create();
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", () -> PostgresTestDatabase.USER);
        registry.add("spring.datasource.password", () -> PostgresTestDatabase.PASSWORD);
    }
}
