package dev.otpgate.totp;

import dev.otpgate.support.PostgresTestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The TOTP factor suite on PostgreSQL, in a database of its own. */
class PostgresTotpFactorApiTests extends TotpFactorApiContract {

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
